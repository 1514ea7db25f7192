/**
 * Updates Marathon apps' `cpus`/`mem` from rightsize's recommendations (issue 12, the closed
 * loop for Marathon): reads `GET /api/v1/recommendations?kind=marathon.app` (all pages), and for
 * each app with a recommendation of at least `--min-confidence` sends Marathon
 * `PUT /v2/apps/<id>` with the per-instance figures (`mem` in MB). `--dry-run` prints the plan.
 *
 *   npx tsx scripts/marathon-rightsize.ts --rightsize http://127.0.0.1:8080 --marathon http://marathon:8080 [--min-confidence medium] [--dry-run]
 *
 * RIGHTSIZE_TOKEN (read token) and MARATHON_TOKEN (`Authorization: token=…` for DC/OS) come from
 * the environment. Exit 0 when every update was accepted, 1 otherwise, 2 on usage errors.
 */
import { fileURLToPath } from 'node:url';

const MiB = 1024 * 1024;
const RANK = { low: 0, medium: 1, high: 2 } as const;
type Confidence = keyof typeof RANK;

interface MarathonRecommendation {
  readonly workload: { readonly kind: string; readonly key: string };
  readonly recommended?: { readonly cpu_cores?: number; readonly memory_bytes?: number };
  readonly confidence?: string;
}

/** One Marathon update: the app id and its new per-instance `cpus` and `mem` (MB). */
export interface MarathonUpdate {
  readonly id: string;
  readonly cpus: number;
  readonly mem: number;
}

/** The updates for the recommendations that are confident enough (pure). */
export function marathonUpdates(items: readonly MarathonRecommendation[], minConfidence: Confidence): MarathonUpdate[] {
  return items.flatMap((d) => {
    const cpu = d.recommended?.cpu_cores;
    const mem = d.recommended?.memory_bytes;
    const rank = RANK[d.confidence as Confidence] ?? -1;
    if (d.workload.kind !== 'marathon.app' || cpu === undefined || mem === undefined || rank < RANK[minConfidence]) return [];
    return [{ id: d.workload.key, cpus: Math.max(0.01, Math.ceil(cpu * 100) / 100), mem: Math.max(32, Math.ceil(mem / MiB)) }];
  });
}

async function json(url: string, init: RequestInit): Promise<unknown> {
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${r.status} ${text.slice(0, 200)}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** Reads every page of marathon.app recommendations and applies the updates; returns how many failed. */
export async function run(opts: { rightsize: string; marathon: string; minConfidence: Confidence; dryRun: boolean; rightsizeToken?: string; marathonToken?: string; log: (line: string) => void }): Promise<number> {
  const items: MarathonRecommendation[] = [];
  const auth: Record<string, string> = opts.rightsizeToken ? { authorization: `Bearer ${opts.rightsizeToken}` } : {};
  for (let offset = 0; ; ) {
    const page = (await json(`${opts.rightsize.replace(/\/+$/, '')}/api/v1/recommendations?kind=marathon.app&limit=500&offset=${offset}`, { headers: auth })) as { total: number; items: MarathonRecommendation[] };
    items.push(...page.items);
    offset += page.items.length;
    if (page.items.length === 0 || offset >= page.total) break;
  }
  let failed = 0;
  for (const u of marathonUpdates(items, opts.minConfidence)) {
    const url = `${opts.marathon.replace(/\/+$/, '')}/v2/apps/${u.id.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/')}`;
    if (opts.dryRun) {
      opts.log(`would PUT ${url} cpus=${u.cpus} mem=${u.mem}`);
      continue;
    }
    try {
      await json(url, { method: 'PUT', headers: { 'content-type': 'application/json', ...(opts.marathonToken ? { authorization: `token=${opts.marathonToken}` } : {}) }, body: JSON.stringify({ cpus: u.cpus, mem: u.mem }) });
      opts.log(`updated ${u.id}: cpus=${u.cpus} mem=${u.mem}`);
    } catch (err) {
      failed++;
      opts.log(`failed ${u.id}: ${(err as Error).message}`);
    }
  }
  return failed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string): string | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const rightsize = arg('--rightsize');
  const marathon = arg('--marathon');
  const min = (arg('--min-confidence') ?? 'medium') as Confidence;
  if (process.argv.includes('--help') || rightsize === undefined || marathon === undefined || !(min in RANK)) {
    process.stderr.write('usage: marathon-rightsize --rightsize <url> --marathon <url> [--min-confidence low|medium|high] [--dry-run]\n');
    process.exit(process.argv.includes('--help') ? 0 : 2);
  }
  const failed = await run({
    rightsize,
    marathon,
    minConfidence: min,
    dryRun: process.argv.includes('--dry-run'),
    ...(process.env['RIGHTSIZE_TOKEN'] ? { rightsizeToken: process.env['RIGHTSIZE_TOKEN'] } : {}),
    ...(process.env['MARATHON_TOKEN'] ? { marathonToken: process.env['MARATHON_TOKEN'] } : {}),
    log: (l) => process.stdout.write(l + '\n'),
  });
  process.exit(failed === 0 ? 0 : 1);
}
