/** One value of a windowed rule's field at its document's `@timestamp`. */
export interface TimedValue {
  readonly atMs: number;
  readonly value: number;
}

/**
 * The first instant ≥ `fromMs` at which `holds(avg)` is true, where avg is the mean of the values
 * with `t − windowMs < atMs ≤ t` (undefined when the window has none): the moment a threshold
 * rule with aggregation avg starts (or, with a negated predicate, stops) meeting its condition
 * on these documents. The window's content only changes when a value enters (at `atMs`) or
 * leaves (at `atMs + windowMs`), so only those instants (and `fromMs`) are examined.
 */
export function firstInstant(values: readonly TimedValue[], windowMs: number, fromMs: number, holds: (avg: number | undefined) => boolean): number | undefined {
  const candidates = [fromMs, ...values.flatMap((v) => [v.atMs, v.atMs + windowMs])].filter((t) => t >= fromMs).sort((a, b) => a - b);
  for (const t of candidates) {
    const inWindow = values.filter((v) => v.atMs > t - windowMs && v.atMs <= t);
    const avg = inWindow.length === 0 ? undefined : inWindow.reduce((s, v) => s + v.value, 0) / inWindow.length;
    if (holds(avg)) return t;
  }
  return undefined;
}
