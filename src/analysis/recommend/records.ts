import type { BuildDoc, BuildFacts } from '../../model/index.js';
import { RightsizeError } from '../../errors/index.js';
import { readBuildDoc } from '../../util/buildDoc.js';

/**
 * The per-build facts the recommender and the replay need, flattened from a {@link BuildDoc}.
 * Unmeasured values are undefined, never 0.
 */
export interface BuildRecord extends BuildFacts {
  /** Workload key (job full name, or `<parent>/PR-*` when branch kinds are split). */
  readonly key: string;
}

const PR_BRANCH = /^(.*)\/(PR-\d+)$/;

/**
 * Workload key of a job. With `splitBranchKind`, multibranch pull-request jobs
 * (`team/repo/PR-123`) collapse into one workload `team/repo/PR-*`; other branches keep their
 * full name (so `team/repo/main` and the PRs of `team/repo` are sized separately).
 */
export function workloadKey(jobFullName: string, splitBranchKind: boolean): string {
  if (!splitBranchKind) return jobFullName;
  const m = PR_BRANCH.exec(jobFullName);
  return m ? `${m[1]}/PR-*` : jobFullName;
}

/**
 * Flattens a typed build document with the one reader of the document (`readBuildDoc`).
 *
 * @throws RightsizeError `RS_ERR_PARSE_SHAPE` when the document lacks a required field or holds an
 *   out-of-range one (a typed document from the generator or a test never does).
 */
export function toBuildRecord(doc: BuildDoc, splitBranchKind = false): BuildRecord {
  const read = readBuildDoc(doc);
  if (!read.ok) throw new RightsizeError('RS_ERR_PARSE_SHAPE', `not a valid builds document: ${read.problem}`);
  if (read.dropped.length > 0) throw new RightsizeError('RS_ERR_PARSE_SHAPE', `not a valid builds document: ${read.dropped.join('; ')}`);
  return { key: workloadKey(read.facts.job, splitBranchKind), ...read.facts };
}
