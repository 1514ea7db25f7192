import { RightsizeError, redactUrl } from '../errors/index.js';
import { isRecord } from '../util/json.js';

/** How to reach Kibana. */
export interface KibanaTarget {
  /** Base URL, e.g. `https://kibana.example.internal:5601` (a base path is kept). */
  readonly url: string;
  /** Space id; absent or `default`: the default space. */
  readonly space?: string;
  /** An API key (`id:key` base64-encoded, as Kibana shows it): sent as `Authorization: ApiKey …`. */
  readonly apiKey?: string;
  readonly username?: string;
  readonly password?: string;
  /** @defaultValue 30 000 */
  readonly timeoutMs?: number;
}

/** One object of the answer. */
export interface ImportedObject {
  readonly type: string;
  readonly id: string;
  readonly title?: string;
  /** The id Kibana stored it under, when it differs. */
  readonly destinationId?: string;
  readonly overwritten: boolean;
}

export interface FailedObject {
  readonly type: string;
  readonly id: string;
  readonly title?: string;
  /** Kibana's error type: `conflict`, `ambiguous_conflict`, `missing_references`, `unsupported_type`, `unknown`. */
  readonly reason: string;
  /** What the failure says beyond its type (missing references, a message). */
  readonly detail?: string;
}

export interface ImportOutcome {
  readonly success: boolean;
  readonly successCount: number;
  readonly imported: readonly ImportedObject[];
  readonly failed: readonly FailedObject[];
}

/** `<base>[/s/<space>]/api/saved_objects/_import[?overwrite=true]`. */
export function importUrl(target: KibanaTarget, overwrite: boolean): string {
  const base = target.url.replace(/\/+$/, '');
  const space = target.space && target.space !== 'default' ? `/s/${encodeURIComponent(target.space)}` : '';
  return `${base}${space}/api/saved_objects/_import${overwrite ? '?overwrite=true' : ''}`;
}

function authHeader(target: KibanaTarget): string | undefined {
  if (target.apiKey) return `ApiKey ${target.apiKey}`;
  let username = target.username;
  let password = target.password;
  if (username === undefined) {
    // userinfo in the URL (https://user:pw@kibana/) counts as basic credentials
    const u = new URL(target.url);
    if (u.username !== '') {
      username = decodeURIComponent(u.username);
      password = decodeURIComponent(u.password);
    }
  }
  if (username !== undefined) return `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  return undefined;
}

/**
 * Reads the import API's answer. Kibana answers HTTP 200 even when some objects failed: `success`
 * is false then and `errors` lists them; `successResults` lists what was created or overwritten.
 * Pure: exported for tests.
 */
export function readImportAnswer(body: unknown): ImportOutcome {
  if (!isRecord(body) || typeof body['success'] !== 'boolean') {
    throw new RightsizeError('RS_ERR_KIBANA_IMPORT', 'Kibana answered the import without a boolean `success` field');
  }
  const imported: ImportedObject[] = [];
  for (const r of Array.isArray(body['successResults']) ? body['successResults'] : []) {
    if (!isRecord(r) || typeof r['type'] !== 'string' || typeof r['id'] !== 'string') continue;
    const meta = isRecord(r['meta']) ? r['meta'] : {};
    imported.push({
      type: r['type'],
      id: r['id'],
      ...(typeof meta['title'] === 'string' ? { title: meta['title'] } : {}),
      ...(typeof r['destinationId'] === 'string' ? { destinationId: r['destinationId'] } : {}),
      overwritten: r['overwrite'] === true,
    });
  }
  const failed: FailedObject[] = [];
  for (const e of Array.isArray(body['errors']) ? body['errors'] : []) {
    if (!isRecord(e)) continue;
    const err = isRecord(e['error']) ? e['error'] : {};
    const meta = isRecord(e['meta']) ? e['meta'] : {};
    const title = typeof e['title'] === 'string' ? e['title'] : typeof meta['title'] === 'string' ? meta['title'] : undefined;
    const refs = Array.isArray(err['references'])
      ? err['references'].filter(isRecord).map((r) => `${String(r['type'])}/${String(r['id'])}`)
      : [];
    const detail = refs.length > 0 ? `missing: ${refs.join(', ')}` : typeof err['message'] === 'string' ? err['message'] : undefined;
    failed.push({
      type: typeof e['type'] === 'string' ? e['type'] : '?',
      id: typeof e['id'] === 'string' ? e['id'] : '?',
      ...(title === undefined ? {} : { title }),
      reason: typeof err['type'] === 'string' ? err['type'] : 'unknown',
      ...(detail === undefined ? {} : { detail }),
    });
  }
  const successCount = typeof body['successCount'] === 'number' ? body['successCount'] : imported.length;
  return { success: body['success'] && failed.length === 0, successCount, imported, failed };
}

/**
 * Uploads an NDJSON file of saved objects through Kibana's saved-objects import API: a multipart
 * form with the file in the field `file`, the `kbn-xsrf` header Kibana requires of every write,
 * and API-key or basic auth. Throws a coded error when Kibana cannot be reached or answers a
 * non-200 status; a 200 with failed objects is returned as data (`success: false`).
 */
export async function importSavedObjects(target: KibanaTarget, ndjson: string, options: { readonly overwrite: boolean; readonly signal?: AbortSignal }): Promise<ImportOutcome> {
  const url = importUrl(target, options.overwrite);
  const shown = redactUrl(url);
  const form = new FormData();
  form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), 'rightsize.ndjson');
  const headers: Record<string, string> = { 'kbn-xsrf': 'rightsize' };
  const auth = authHeader(target);
  if (auth) headers['authorization'] = auth;
  const timeout = AbortSignal.timeout(target.timeoutMs ?? 30_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  // Credentials travel in the header only: a URL's userinfo is not sent by fetch anyway.
  const plainUrl = new URL(url);
  plainUrl.username = '';
  plainUrl.password = '';
  let res: Response;
  try {
    res = await fetch(plainUrl, { method: 'POST', headers, body: form, signal, redirect: 'manual' });
  } catch (err) {
    throw new RightsizeError('RS_ERR_KIBANA_UNREACHABLE', `Kibana at ${shown} cannot be reached: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  if (res.status !== 200) {
    let message = text.slice(0, 300);
    try {
      const parsed = JSON.parse(text) as unknown;
      if (isRecord(parsed) && typeof parsed['message'] === 'string') message = parsed['message'];
    } catch {
      // not JSON: keep the start of the body
    }
    throw new RightsizeError('RS_ERR_KIBANA_IMPORT', `Kibana answered ${res.status} to ${shown}: ${message}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (err) {
    throw new RightsizeError('RS_ERR_KIBANA_IMPORT', `Kibana's answer from ${shown} is not JSON`, { cause: err });
  }
  return readImportAnswer(body);
}
