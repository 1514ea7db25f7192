/**
 * Small inline SVG charts for the HTML report: no script, no fonts or images from outside, every
 * text escaped. Mail clients that do not render SVG still show the tables beside each chart.
 */

/** Escapes text for HTML and XML (element content and attribute values). */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const FONT = 'font-family="Helvetica,Arial,sans-serif"';
const fmt = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

export interface BarGroup {
  readonly label: string;
  readonly bars: readonly { readonly name: string; readonly value: number; readonly color: string }[];
}

/** Grouped horizontal bars, one group per row (e.g. reserved / used for this week and the last). */
export function barChart(title: string, groups: readonly BarGroup[], unit: string, width = 560): string {
  const rowH = 18;
  const labelW = 150;
  const top = 26;
  const barsPerGroup = Math.max(1, ...groups.map((g) => g.bars.length));
  const groupH = barsPerGroup * rowH + 8;
  const height = top + groups.length * groupH;
  const max = Math.max(1e-9, ...groups.flatMap((g) => g.bars.map((b) => b.value)));
  // Room right of the longest bar for its value label.
  const plotW = width - labelW - 170;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="0" y="16" ${FONT} font-size="13" font-weight="bold" fill="#222222">${escapeXml(title)}</text>`,
  ];
  groups.forEach((g, gi) => {
    const y0 = top + gi * groupH;
    parts.push(`<text x="0" y="${y0 + rowH - 5}" ${FONT} font-size="12" fill="#333333">${escapeXml(g.label)}</text>`);
    g.bars.forEach((b, bi) => {
      const y = y0 + bi * rowH;
      const w = Math.max(0, (Math.max(0, b.value) / max) * plotW);
      parts.push(`<rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 5}" fill="${escapeXml(b.color)}"/>`);
      parts.push(`<text x="${(labelW + w + 4).toFixed(1)}" y="${y + rowH - 5}" ${FONT} font-size="11" fill="#333333">${escapeXml(`${b.name} ${fmt(b.value)} ${unit}`)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface LineSeries {
  readonly name: string;
  readonly values: readonly number[];
  readonly color: string;
  readonly dashed?: boolean;
}

/** A line chart over days (x = index), with an optional horizontal threshold line. */
export function lineChart(title: string, days: readonly string[], series: readonly LineSeries[], unit: string, threshold?: { readonly value: number; readonly name: string }, width = 560): string {
  const height = 220;
  const left = 48;
  const right = 12;
  const top = 40;
  const bottom = 40;
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const max = Math.max(1e-9, ...all, threshold?.value ?? 0) * 1.08;
  const n = Math.max(2, days.length);
  const x = (i: number): number => left + (i / (n - 1)) * (width - left - right);
  const y = (v: number): number => top + (1 - v / max) * (height - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="0" y="16" ${FONT} font-size="13" font-weight="bold" fill="#222222">${escapeXml(title)}</text>`,
    `<line x1="${left}" y1="${y(0)}" x2="${width - right}" y2="${y(0)}" stroke="#999999"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${y(0)}" stroke="#999999"/>`,
    `<text x="${left - 4}" y="${top + 4}" ${FONT} font-size="10" fill="#555555" text-anchor="end">${escapeXml(fmt(max))}</text>`,
    `<text x="${left - 4}" y="${y(0)}" ${FONT} font-size="10" fill="#555555" text-anchor="end">0</text>`,
    `<text x="${left}" y="${top - 8}" ${FONT} font-size="10" fill="#555555">${escapeXml(unit)}</text>`,
  ];
  if (days.length > 0) {
    parts.push(`<text x="${left}" y="${height - bottom + 14}" ${FONT} font-size="10" fill="#555555">${escapeXml(days[0]!)}</text>`);
    parts.push(`<text x="${width - right}" y="${height - bottom + 14}" ${FONT} font-size="10" fill="#555555" text-anchor="end">${escapeXml(days[days.length - 1]!)}</text>`);
  }
  if (threshold !== undefined) {
    parts.push(`<line x1="${left}" y1="${y(threshold.value).toFixed(1)}" x2="${width - right}" y2="${y(threshold.value).toFixed(1)}" stroke="#c0392b" stroke-dasharray="2,3"/>`);
    parts.push(`<text x="${width - right}" y="${(y(threshold.value) - 4).toFixed(1)}" ${FONT} font-size="10" fill="#c0392b" text-anchor="end">${escapeXml(threshold.name)}</text>`);
  }
  let lx = left;
  for (const s of series) {
    const pts = s.values.map((v, i) => (Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : undefined)).filter((p): p is string => p !== undefined);
    if (pts.length > 0)
      parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${escapeXml(s.color)}" stroke-width="2"${s.dashed === true ? ' stroke-dasharray="6,4"' : ''}/>`);
    parts.push(`<rect x="${lx}" y="${height - 16}" width="12" height="3" fill="${escapeXml(s.color)}"/>`);
    parts.push(`<text x="${lx + 16}" y="${height - 11}" ${FONT} font-size="11" fill="#333333">${escapeXml(s.name)}</text>`);
    lx += 28 + s.name.length * 6.5;
  }
  parts.push('</svg>');
  return parts.join('');
}
