import type { MetricSummary, RatioResult } from './results.js';

/** Prints a fixed-width table; numbers are right-aligned. */
export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = rows.map((row) => row.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (row: string[], isHeader = false) =>
    row
      .map((c, i) => (isHeader || !/^-?\d/.test(c) ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  console.log(line(headers, true));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) console.log(line(row));
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function spread(m: MetricSummary): string {
  return `${formatNumber(m.min)} – ${formatNumber(m.max)}`;
}

/** contender × metric table: median and min–max over the measured rounds. */
export function printMetrics(contenders: Record<string, Record<string, MetricSummary>>, metrics: string[]): void {
  const headers = ['contender'];
  for (const m of metrics) headers.push(`${m} (median)`, 'min – max');
  const rows = Object.entries(contenders).map(([name, values]) => {
    const row: string[] = [name];
    for (const m of metrics) {
      const v = values[m];
      row.push(v ? `${formatNumber(v.median)} ${v.unit}` : '—', v ? spread(v) : '—');
    }
    return row;
  });
  printTable(headers, rows);
}

export function printRatios(ratios: RatioResult[]): void {
  printTable(
    ['ours / competitor', 'metric', 'per round', 'median', 'min – max', 'target'],
    ratios.map((r) => [
      r.competitor,
      r.metric,
      r.perRound.map((x) => x.toFixed(2)).join(' '),
      `${r.median.toFixed(2)}×`,
      `${r.min.toFixed(2)} – ${r.max.toFixed(2)}`,
      r.target === undefined ? '—' : `≥ ${r.target.toFixed(2)}× ${r.met ? 'met' : 'MISSED'}`,
    ]),
  );
}

export function banner(text: string): void {
  const bar = '='.repeat(Math.max(60, text.length + 4));
  console.log(`\n${bar}\n  ${text}\n${bar}`);
}
