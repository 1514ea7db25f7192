import { analyzeBuilds, toBuildRecord, type Prices, type RecommenderPolicy } from '../../analysis/index.js';
import type { BuildDoc } from '../../model/index.js';
import { weeklyFigures, type WeeklyFigures } from './figures.js';
import { localDay, localMidnightMs, previousWeek, weekRange, type IsoWeek } from './isoWeek.js';
import { dailyPeaksFromBuilds, WeekBuildsAccumulator, type ReportBuild } from './weekBuilds.js';

/** Days of daily peaks the capacity forecast fits its trend on (four weeks ending with the report week). */
export const FORECAST_DAYS = 28;

export interface FromBuildsOptions {
  readonly week: IsoWeek;
  readonly timeZone: string;
  readonly policy: RecommenderPolicy;
  readonly prices?: Prices;
  /** Label sizes to plan (`analysis.labelPlan.maxSizes`). */
  readonly planK: number;
  /** @defaultValue 20 */
  readonly topJobs?: number;
  readonly generatedAtMs: number;
}

/** A builds document as the report's record (the recommender's fields plus queue wait and coverage). */
export function toReportBuild(doc: BuildDoc, splitBranchKind: boolean): ReportBuild {
  const r = toBuildRecord(doc, splitBranchKind);
  const wait = doc.queue?.wait_ms;
  const coverage = doc.usage?.coverage;
  return { ...r, ...(typeof wait === 'number' ? { queueWaitMs: wait } : {}), ...(typeof coverage === 'number' ? { coverage } : {}) };
}

/** The instant a week's recommendations are computed as of: the last millisecond of the week. */
export function asOfMs(weekEndMs: number): number {
  return weekEndMs - 1;
}

/**
 * The weekly figures of a set of builds documents (a trace), pure: recommendations and the label
 * plan from analysis' `analyzeBuilds` as of the end of the week (exactly what
 * `rightsize analyze --from <file> --now <that instant> --plan k` computes), the week's sums from
 * {@link WeekBuildsAccumulator}, the allocation trend from the builds' own requests.
 */
export function figuresFromBuilds(docs: readonly BuildDoc[], o: FromBuildsOptions): WeeklyFigures {
  const week = weekRange(o.week, o.timeZone);
  const prev = weekRange(previousWeek(o.week), o.timeZone);
  const records = docs.map((d) => toReportBuild(d, o.policy.splitBranchKind));
  const nowMs = asOfMs(week.endMs);
  const analysis = analyzeBuilds(records, { policy: o.policy, nowMs, planK: o.planK, ...(o.prices ? { prices: o.prices } : {}) });
  const acc = new WeekBuildsAccumulator(week, prev, o.policy);
  for (const r of records) acc.add(r);
  const fromMs = localMidnightMs(localDay(week.endMs - 1, o.timeZone) - (FORECAST_DAYS - 1), o.timeZone);
  return weeklyFigures({
    week,
    previous: prev,
    generatedAtMs: o.generatedAtMs,
    asOfMs: nowMs,
    source: 'trace',
    jobs: analysis.jobs,
    ...(analysis.plan ? { plan: analysis.plan } : {}),
    builds: acc.result(o.prices),
    ...(o.prices ? { prices: o.prices } : {}),
    ...(o.topJobs !== undefined ? { topJobs: o.topJobs } : {}),
    dailyPeaks: dailyPeaksFromBuilds(records, fromMs, week.endMs, o.timeZone),
  });
}
