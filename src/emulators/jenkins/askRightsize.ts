import { isRecord } from '../../util/index.js';
import type { LabelChoice } from '../cluster/types.js';

/** Where and how the emulated Jenkins asks rightsize for a job's label (`rightsize emulate --ask-rightsize`). */
export interface AskRightsizeOptions {
  /** Base URL of `rightsize serve` (`http://127.0.0.1:8080`). */
  readonly url: string;
  /** No answer within this: the fallback label. @defaultValue 2000 */
  readonly timeoutMs?: number;
  /** Bearer read token, when `rightsize serve` needs one for reads. */
  readonly token?: string;
}

/** Asks for one job's label; `fallback` is the job's own label. Never rejects. */
export type LabelAsker = (job: string, fallback: string, signal: AbortSignal) => Promise<LabelChoice>;

export const DEFAULT_ASK_TIMEOUT_MS = 2_000;

/** `GET /api/v1/jobs/<job>?format=mesos-plugin`: folders stay `/`, each segment URL-encoded (as the groovy step does). */
export function askUrl(baseUrl: string, job: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/v1/jobs/${job.split('/').map(encodeURIComponent).join('/')}?format=mesos-plugin`;
}

/**
 * The label of one answer, as `jenkins/vars/rightsize.groovy` decides it (pure): a 200 with a
 * `label` and `fallback: false` is used; anything else is the fallback label with its reason.
 */
export function choiceFromAnswer(status: number, body: unknown, fallback: string): LabelChoice {
  if (status === 404) return { label: fallback, outcome: 'fallback', reason: 'not-found', status };
  if (status !== 200) return { label: fallback, outcome: 'fallback', reason: 'http-error', status };
  if (!isRecord(body)) return { label: fallback, outcome: 'fallback', reason: 'bad-answer' };
  const label = body['label'];
  if (label === undefined || label === null || label === '') return { label: fallback, outcome: 'fallback', reason: 'no-label' };
  if (typeof label !== 'string') return { label: fallback, outcome: 'fallback', reason: 'bad-answer' };
  if (body['fallback'] === true) return { label: fallback, outcome: 'fallback', reason: 'no-covering-label' };
  return { label, outcome: 'answered' };
}

/**
 * The HTTP asker: one GET per build with a timeout (connect and answer together), the bearer
 * token when given. A refused connection, a timeout or an unreadable body is a fallback, never
 * an error: the build runs on its job's label.
 */
export function httpLabelAsker(opts: AskRightsizeOptions): LabelAsker {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_ASK_TIMEOUT_MS;
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) };
  return async (job, fallback, signal) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetch(askUrl(opts.url, job), { headers, signal: AbortSignal.any([signal, timeout]) });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return res.status === 200 ? { label: fallback, outcome: 'fallback', reason: 'bad-answer' } : choiceFromAnswer(res.status, undefined, fallback);
      }
      return choiceFromAnswer(res.status, body, fallback);
    } catch {
      return { label: fallback, outcome: 'fallback', reason: timeout.aborted ? 'timeout' : 'unreachable' };
    }
  };
}
