import { readFileSync } from 'node:fs';
import { RightsizeError } from '../../errors/index.js';

/** Jenkins credential settings as the config (`jenkins.*`) holds them. */
export interface JenkinsCredentialSettings {
  readonly username?: string;
  readonly token?: string;
  readonly tokenFile?: string;
}

/**
 * Resolves the Jenkins user and API token: `token` (the config key, which
 * `RIGHTSIZE_JENKINS_TOKEN` overrides when the config is loaded), else the first line of
 * `tokenFile`, else `env.RIGHTSIZE_JENKINS_TOKEN`; the user from `username`, else
 * `env.RIGHTSIZE_JENKINS_USER`. No token: anonymous access (undefined). A token without a user
 * is a configuration error (Jenkins API tokens belong to a user).
 */
export function resolveJenkinsCredentials(
  settings: JenkinsCredentialSettings,
  env: Readonly<Record<string, string | undefined>> = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): { username: string; password: string } | undefined {
  let token = settings.token;
  if ((token === undefined || token === '') && settings.tokenFile !== undefined) {
    let content: string;
    try {
      content = readFile(settings.tokenFile);
    } catch (cause) {
      throw new RightsizeError('RS_ERR_CONFIG_READ', `cannot read jenkins.tokenFile ${settings.tokenFile}`, { meta: { path: '/jenkins/tokenFile' }, cause });
    }
    token = content.split(/\r?\n/)[0]?.trim();
    if (token === undefined || token === '') throw new RightsizeError('RS_ERR_CONFIG_INVALID', `jenkins.tokenFile ${settings.tokenFile} is empty`, { meta: { path: '/jenkins/tokenFile' } });
  }
  if (token === undefined || token === '') token = env['RIGHTSIZE_JENKINS_TOKEN'];
  if (token === undefined || token === '') return undefined;
  const username = settings.username ?? env['RIGHTSIZE_JENKINS_USER'];
  if (username === undefined || username === '') {
    throw new RightsizeError('RS_ERR_CONFIG_INVALID', 'a Jenkins API token needs jenkins.username (or RIGHTSIZE_JENKINS_USER)', { meta: { path: '/jenkins/username' } });
  }
  return { username, password: token };
}
