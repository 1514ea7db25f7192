import type { ConfigProblem } from '../errors/index.js';
import { globProblem, parseBytes } from '../util/index.js';
import type { AnalysisConfig } from './schema.js';

type OverrideConfig = AnalysisConfig['overrides'][number];

/** One glob or a list, as a list. */
export function globList(v: string | readonly string[] | undefined): readonly string[] {
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

/**
 * Problems of `analysis.overrides` beyond the schema: each entry matches on something (job
 * and/or label), its globs compile, it does something (exclude, or a cpu/memory key) and not both
 * (an excluded job gets no recommendation to pin), sizes parse, min ≤ max, pins stay inside the
 * global floor..cap, and names are unique (they name the entry in the reasons).
 */
export function overridesProblems(a: AnalysisConfig, globalBytes: { readonly floorBytes?: number; readonly capBytes?: number }): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Map<string, number>();
  a.overrides.forEach((o: OverrideConfig, i) => {
    const at = `/analysis/overrides/${i}`;
    if (o.name !== undefined) {
      const first = names.get(o.name);
      if (first !== undefined) problems.push({ path: `${at}/name`, message: `duplicate override name '${o.name}' (also /analysis/overrides/${first})` });
      else names.set(o.name, i);
    }
    if (o.match.job === undefined && o.match.label === undefined) problems.push({ path: `${at}/match`, message: 'give job and/or label globs' });
    for (const key of ['job', 'label'] as const) {
      const v = o.match[key];
      const list = globList(v);
      list.forEach((g, k) => {
        const p = globProblem(g);
        if (p !== undefined) problems.push({ path: typeof v === 'string' ? `${at}/match/${key}` : `${at}/match/${key}/${k}`, message: `not a glob: ${p}` });
      });
    }
    const tunes = (o.cpu !== undefined && Object.keys(o.cpu).length > 0) || (o.memory !== undefined && Object.keys(o.memory).length > 0);
    if (o.exclude === true && tunes) problems.push({ path: `${at}/exclude`, message: 'an excluded job gets no recommendation: drop cpu/memory, or exclude' });
    if (o.exclude !== true && !tunes) problems.push({ path: at, message: 'does nothing: set exclude: true, or cpu/memory keys (minCores, maxBytes, percentile, headroom, ...)' });
    const bytes: Partial<Record<'minBytes' | 'maxBytes' | 'headroomBytes', number>> = {};
    for (const key of ['minBytes', 'maxBytes', 'headroomBytes'] as const) {
      const v = o.memory?.[key];
      if (v === undefined) continue;
      const b = parseBytes(v);
      if (b === undefined) problems.push({ path: `${at}/memory/${key}`, message: `not a size (bytes, or e.g. 512MiB, 4g): ${JSON.stringify(v)}` });
      else bytes[key] = b;
    }
    const cpu = o.cpu;
    if (cpu?.minCores !== undefined && cpu.maxCores !== undefined && cpu.minCores > cpu.maxCores) problems.push({ path: `${at}/cpu/minCores`, message: `must not exceed maxCores (${cpu.maxCores})` });
    if (cpu?.minCores !== undefined && cpu.minCores > a.cpu.capCores) problems.push({ path: `${at}/cpu/minCores`, message: `must not exceed analysis.cpu.capCores (${a.cpu.capCores})` });
    if (cpu?.maxCores !== undefined && cpu.maxCores < a.cpu.floorCores) problems.push({ path: `${at}/cpu/maxCores`, message: `must not be below analysis.cpu.floorCores (${a.cpu.floorCores})` });
    if (bytes.minBytes !== undefined && bytes.maxBytes !== undefined && bytes.minBytes > bytes.maxBytes) problems.push({ path: `${at}/memory/minBytes`, message: `must not exceed maxBytes (${bytes.maxBytes} bytes)` });
    if (bytes.minBytes !== undefined && globalBytes.capBytes !== undefined && bytes.minBytes > globalBytes.capBytes)
      problems.push({ path: `${at}/memory/minBytes`, message: `must not exceed analysis.memory.capBytes (${globalBytes.capBytes} bytes)` });
    if (bytes.maxBytes !== undefined && globalBytes.floorBytes !== undefined && bytes.maxBytes < globalBytes.floorBytes)
      problems.push({ path: `${at}/memory/maxBytes`, message: `must not be below analysis.memory.floorBytes (${globalBytes.floorBytes} bytes)` });
  });
  return problems;
}
