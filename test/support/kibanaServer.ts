import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One saved object as the fake Kibana stores it. */
interface Stored {
  readonly type: string;
  readonly id: string;
  readonly title?: string;
}

/** What the fake Kibana saw of one import request. */
export interface SeenImport {
  readonly method: string;
  readonly path: string;
  readonly space: string;
  readonly overwrite: boolean;
  readonly headers: IncomingMessage['headers'];
  readonly fileName?: string;
  readonly objects: readonly Record<string, unknown>[];
}

export interface FakeKibana {
  readonly url: string;
  readonly seen: SeenImport[];
  /** Objects per space, `type/id` → object. */
  readonly store: Map<string, Map<string, Stored>>;
  /** Types this Kibana does not know (answered as `unsupported_type`, as Kibana does). */
  readonly unsupportedTypes: Set<string>;
  close(): Promise<void>;
}

const SUPPORTED_AUTH = new Set(['ApiKey test-api-key', `Basic ${Buffer.from('elastic:changeme').toString('base64')}`]);

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/**
 * A local server that behaves as Kibana 8.x's saved-objects import API is documented to:
 * `POST [/s/<space>]/api/saved_objects/_import[?overwrite=true]`, multipart/form-data with the
 * NDJSON in the field `file`, the `kbn-xsrf` header required (400 without it), credentials
 * required (401 without them). The answer is HTTP 200 with `success`, `successCount`,
 * `successResults` (`type`, `id`, `meta.title`, `overwrite`) and, when some objects failed,
 * `errors` (`type`, `id`, `meta.title`, `error.type`: `conflict`, `missing_references` with
 * `references`, `unsupported_type`), the failed objects not being stored.
 */
export async function startFakeKibana(): Promise<FakeKibana> {
  const seen: SeenImport[] = [];
  const store = new Map<string, Map<string, Stored>>();
  const unsupportedTypes = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks)).catch((err: unknown) => send(res, 500, { statusCode: 500, error: 'Internal Server Error', message: String(err) }));
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kibana');
    const m = /^(?:\/s\/([a-z0-9_-]+))?\/api\/saved_objects\/_import$/.exec(url.pathname);
    if (!m) return send(res, 404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
    if (req.method !== 'POST') return send(res, 404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
    if (!SUPPORTED_AUTH.has(req.headers.authorization ?? '')) {
      return send(res, 401, { statusCode: 401, error: 'Unauthorized', message: '[security_exception]: unable to authenticate user' });
    }
    if (req.headers['kbn-xsrf'] === undefined) {
      return send(res, 400, { statusCode: 400, error: 'Bad Request', message: 'Request must contain a kbn-xsrf header.' });
    }
    const ct = req.headers['content-type'] ?? '';
    if (!ct.startsWith('multipart/form-data')) {
      return send(res, 415, { statusCode: 415, error: 'Unsupported Media Type', message: 'Unsupported Media Type' });
    }
    const form = await new Request('http://kibana/', { method: 'POST', headers: { 'content-type': ct }, body }).formData();
    const file = form.get('file');
    if (!(file instanceof File)) return send(res, 400, { statusCode: 400, error: 'Bad Request', message: '[request body.file]: expected value of type [Stream]' });
    if (!file.name.endsWith('.ndjson')) {
      return send(res, 400, { statusCode: 400, error: 'Bad Request', message: `Invalid file extension ${file.name}` });
    }
    const objects = (await file.text())
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const space = m[1] ?? 'default';
    const overwrite = url.searchParams.get('overwrite') === 'true';
    seen.push({ method: req.method, path: url.pathname, space, overwrite, headers: req.headers, fileName: file.name, objects });
    const spaceStore = store.get(space) ?? new Map<string, Stored>();
    store.set(space, spaceStore);
    const inFile = new Set(objects.map((o) => `${String(o['type'])}/${String(o['id'])}`));
    const successResults: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const o of objects) {
      const type = String(o['type']);
      const id = String(o['id']);
      const attrs = (o['attributes'] ?? {}) as Record<string, unknown>;
      const title = typeof attrs['title'] === 'string' ? attrs['title'] : undefined;
      const meta = { title, icon: type === 'dashboard' ? 'dashboardApp' : 'lensApp' };
      const key = `${type}/${id}`;
      if (unsupportedTypes.has(type)) {
        errors.push({ id, type, meta, error: { type: 'unsupported_type' } });
        continue;
      }
      const refs = (Array.isArray(o['references']) ? o['references'] : []) as { type: string; id: string }[];
      const missing = refs.filter((r) => !inFile.has(`${r.type}/${r.id}`) && !spaceStore.has(`${r.type}/${r.id}`));
      if (missing.length > 0) {
        errors.push({ id, type, meta, error: { type: 'missing_references', references: missing.map((r) => ({ type: r.type, id: r.id })) } });
        continue;
      }
      if (spaceStore.has(key) && !overwrite) {
        errors.push({ id, type, meta, error: { type: 'conflict' } });
        continue;
      }
      const existed = spaceStore.has(key);
      spaceStore.set(key, { type, id, ...(title === undefined ? {} : { title }) });
      successResults.push({ type, id, meta, ...(existed ? { overwrite: true } : {}) });
    }
    send(res, 200, { success: errors.length === 0, successCount: successResults.length, successResults, ...(errors.length > 0 ? { errors } : {}) });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    store,
    unsupportedTypes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
