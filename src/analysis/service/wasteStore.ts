import type { Client } from '@elastic/elasticsearch';
import { emptyWasteWriteStats, exportBuildPages, JOB_BUILD_FIELDS, toJobBuild, writeWaste, type WasteWriteStats } from '../../store/queries/index.js';
import { workloadKey } from '../recommend/records.js';
import { WasteAccumulator, wasteDocument, weekStart, type Prices, type WasteRow } from '../waste/waste.js';
import { DAY_MS } from '../../util/units.js';


export interface WasteStoreOptions {
  readonly client: Client;
  /** `elasticsearch.indexPrefix`. */
  readonly prefix: string;
  /** The analysis window: builds that started in the ISO weeks overlapping [fromMs, toMs] count. */
  readonly fromMs: number;
  readonly toMs: number;
  /** Key PR branches as one workload (the policy's `splitBranchKind`), as the recommendations do. */
  readonly splitBranchKind: boolean;
  readonly prices?: Prices;
  /** Compute only; write nothing. */
  readonly dryRun?: boolean;
  /** Builds per scan page. @defaultValue 1000 */
  readonly pageSize?: number;
}

export interface WasteStoreResult {
  readonly rows: WasteRow[];
  /** Builds read. */
  readonly scanned: number;
  /** Builds without a request or a usage measurement (counted by `computeWaste`, not guessed). */
  readonly skipped: number;
  /** Hits without a usable job name, build number, start, end or duration. */
  readonly malformed: number;
  /** Start of the first week scanned (epoch ms, a Monday 00:00 UTC). */
  readonly fromMs: number;
  readonly write: WasteWriteStats;
}

/**
 * Weekly waste over the analysis window, from the `builds` index, written to
 * `<prefix>-waste-YYYY.MM` (one document per job, label and cluster per ISO week, `_id` =
 * sha1 of scope + key + week, written with `index` so a re-run overwrites).
 *
 * Why a scan and not aggregations: reserved = request × duration and used memory = average bytes ×
 * duration are per-build products; summing them needs a script (Painless is not on the
 * integ-test-zip server) or a stored product field (builds carry only `waste.*`, defined with a
 * coverage correction that `computeWaste` does not make). So the builds are read page by page
 * (point in time + `search_after`, only the fields a build record needs) into a
 * {@link WasteAccumulator}; memory is one page plus one sum per job/label/cluster and week. Unlike
 * the recommender's `top_hits` (newest ≤ 100 usable builds per job), this counts every build,
 * aborted ones included: they reserved resources too.
 *
 * The scan starts at the Monday 00:00 UTC of the week holding `fromMs` and selects by
 * `build.start` (the week a build counts in), so the oldest week written is complete and a later
 * run never overwrites it with a partial one.
 *
 * @throws StoreError `RS_ERR_STORE_UNAVAILABLE` / `RS_ERR_STORE_REJECTED`.
 */
export async function wasteFromStore(o: WasteStoreOptions): Promise<WasteStoreResult> {
  const fromMs = Date.parse(`${weekStart(o.fromMs)}T00:00:00.000Z`);
  const acc = new WasteAccumulator();
  let scanned = 0;
  let malformed = 0;
  const bad = { fields: 0 };
  for await (const page of exportBuildPages(o.client, {
    prefix: o.prefix,
    fromMs,
    toMs: o.toMs,
    timeField: 'build.start',
    includes: JOB_BUILD_FIELDS,
    pageSize: o.pageSize ?? 1000,
  })) {
    for (const source of page) {
      scanned++;
      const b = toJobBuild(source, bad);
      if (b === undefined) {
        malformed++;
        continue;
      }
      acc.add({ key: workloadKey(b.job, o.splitBranchKind), ...b });
    }
  }
  const { rows, skipped } = acc.result(o.prices);
  const write = emptyWasteWriteStats();
  if (o.dryRun !== true && rows.length > 0) {
    await writeWaste(o.client, o.prefix, rows.map(wasteDocument), write);
    try {
      await o.client.indices.refresh({ index: `${o.prefix}-waste-*` });
    } catch {
      // Visibility only (refresh interval 5 s).
    }
  }
  return { rows, scanned, skipped, malformed, fromMs, write };
}

/** The first instant of the analysis window: `nowMs − windowDays`. */
export function windowStartMs(nowMs: number, windowDays: number): number {
  return nowMs - windowDays * DAY_MS;
}
