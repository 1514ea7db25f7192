import type { Config } from '../../config/index.js';
import type { Clock } from '../../util/clock.js';
import type { TlsOptions } from '../tls.js';
import { resolveJenkinsCredentials } from './credentials.js';
import { JenkinsCollector } from './JenkinsCollector.js';
import type { FinishedBuild } from './types.js';

/**
 * Builds the Jenkins collector from `jenkins.*` (credentials: `token`, else `tokenFile`, else
 * env `RIGHTSIZE_JENKINS_TOKEN`) and `collect.maxResponseBytes`; undefined without `jenkins.url`.
 *
 * @throws RightsizeError `RS_ERR_CONFIG_INVALID` / `RS_ERR_CONFIG_READ` for unusable credentials.
 */
export function jenkinsCollectorFromConfig(
  config: Config,
  deps: {
    readonly clock?: Clock;
    readonly env?: Readonly<Record<string, string | undefined>>;
    readonly onFinishedBuilds?: (builds: readonly FinishedBuild[]) => void;
    /** TLS for an https Jenkins (the config has no `jenkins.tls` key yet). */
    readonly tls?: TlsOptions;
  } = {},
): JenkinsCollector | undefined {
  const j = config.jenkins;
  if (j.url === undefined) return undefined;
  const auth = resolveJenkinsCredentials(j, deps.env ?? process.env);
  return new JenkinsCollector({
    url: j.url,
    ...(auth ? { auth } : {}),
    timeoutMs: j.timeoutMs,
    maxResponseBytes: config.collect.maxResponseBytes,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.onFinishedBuilds ? { onFinishedBuilds: deps.onFinishedBuilds } : {}),
    ...(deps.tls ? { tls: deps.tls } : {}),
  });
}
