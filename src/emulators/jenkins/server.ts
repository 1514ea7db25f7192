import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { json, type Handler, type Reply } from '../http.js';
import { applyTree, parseTree, treeDepth, TreeSyntaxError, type TreeNode } from './tree.js';
import { isFolder, renderBuild, renderComputers, renderFolder, renderJob, renderQueue, renderQueueItem, renderRoot, type JenkinsView } from './render.js';

export interface JenkinsAuth {
  readonly user: string;
  readonly token: string;
}

function authorized(req: IncomingMessage, auth: JenkinsAuth): boolean {
  const h = req.headers.authorization;
  if (!h || !h.startsWith('Basic ')) return false;
  const given = Buffer.from(Buffer.from(h.slice(6), 'base64').toString('utf8'));
  const wanted = Buffer.from(`${auth.user}:${auth.token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * The emulator's own page (no such page on a real Jenkins): what the jobs that ask rightsize
 * for their label got, `EmulatedCluster.askStats()`.
 */
export const ASK_STATUS_PATH = 'emulator/rightsize/api/json';

const PERMALINKS: Record<string, (b: { building: boolean; result: string | null }) => boolean> = {
  lastBuild: () => true,
  lastCompletedBuild: (b) => !b.building,
  lastSuccessfulBuild: (b) => !b.building && b.result === 'SUCCESS',
  lastStableBuild: (b) => !b.building && b.result === 'SUCCESS',
  lastFailedBuild: (b) => !b.building && b.result === 'FAILURE',
};

/**
 * Jenkins 2.x remote API (GET `…/api/json` with `depth`, `tree`, `pretty`), behind HTTP basic
 * auth with user + API token: 401 with `WWW-Authenticate` otherwise.
 */
export function jenkinsHandler(view: () => JenkinsView, auth: JenkinsAuth, version: string): Handler {
  return (req: IncomingMessage, url: URL): Reply => {
    const headers = { 'x-jenkins': version };
    if (!authorized(req, auth)) {
      return { status: 401, headers: { ...headers, 'www-authenticate': 'Basic realm="Jenkins"' }, body: 'Authentication required' };
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, headers, body: 'Method not allowed' };
    let segs: string[];
    try {
      segs = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    } catch {
      return { status: 404, headers, body: 'Not Found' };
    }
    if (segs.length < 2 || segs[segs.length - 2] !== 'api' || segs[segs.length - 1] !== 'json') return { status: 404, headers, body: 'Not Found' };
    const path = segs.slice(0, -2);
    const depthRaw = url.searchParams.get('depth');
    const depth = depthRaw === null ? 0 : Number.parseInt(depthRaw, 10);
    if (!Number.isFinite(depth) || depth < 0) return { status: 400, headers, body: 'bad depth' };
    const treeRaw = url.searchParams.get('tree');
    let tree: TreeNode[] | undefined;
    if (treeRaw !== null) {
      try {
        tree = parseTree(treeRaw);
      } catch (err) {
        if (err instanceof TreeSyntaxError) return { status: 400, headers, body: `bad tree: ${err.message}` };
        throw err;
      }
    }
    // With a tree, Jenkins exports what the tree names, regardless of depth and visibility.
    const effDepth = tree === undefined ? depth : Math.max(1, treeDepth(tree));
    const body = route(view(), path, effDepth);
    if (body === undefined) return { status: 404, headers, body: 'Not Found' };
    const out: unknown = tree === undefined ? body : applyTree(body, tree);
    if (url.searchParams.get('pretty') === 'true') return { status: 200, headers: { ...headers, 'content-type': 'application/json;charset=utf-8' }, body: JSON.stringify(out, null, 2) };
    return json(out, 200, headers);
  };
}

function route(v: JenkinsView, path: string[], depth: number): Record<string, unknown> | undefined {
  if (path.length === 0) return renderRoot(v, depth);
  if (path.length === 1 && path[0] === 'queue') return renderQueue(v);
  if (path.length === 3 && path[0] === 'queue' && path[1] === 'item' && /^\d+$/.test(path[2]!)) return renderQueueItem(v, Number(path[2]));
  if (path.length === 1 && path[0] === 'computer') return renderComputers(v, depth);
  if (path.length === 2 && path[0] === 'emulator' && path[1] === 'rightsize') return { ...v.cluster.askStats() };
  if (path.length === 2 && path[0] === 'computer') {
    // `/computer/<node name>/api/json`; the built-in node is `(built-in)`.
    const all = renderComputers(v, depth)['computer'] as Array<Record<string, unknown>>;
    const name = path[1] === '(built-in)' || path[1] === '(master)' ? 'Built-In Node' : path[1];
    return all.find((c) => c['displayName'] === name);
  }
  if (path[0] !== 'job') return undefined;
  const names: string[] = [];
  let i = 0;
  while (i + 1 < path.length && path[i] === 'job') {
    names.push(path[i + 1]!);
    i += 2;
  }
  const full = names.join('/');
  const rest = path.slice(i);
  if (rest.length === 0) {
    if (isFolder(v, full)) return renderFolder(v, full, depth);
    return renderJob(v, full, depth);
  }
  if (rest.length !== 1) return undefined;
  const job = v.cluster.engine.jobs.get(full);
  if (!job) return undefined;
  const seg = rest[0]!;
  let number: number | undefined;
  if (/^\d+$/.test(seg)) number = Number(seg);
  else if (PERMALINKS[seg]) number = [...job.builds].reverse().find((b) => PERMALINKS[seg]!(b))?.number;
  if (number === undefined) return undefined;
  return renderBuild(v, full, number, depth);
}
