import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SuiteResult } from './results.js';

export const CHART_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'benchmarks.svg');

interface Bar {
  label: string;
  median: number;
  min: number;
  max: number;
  target?: number;
  met?: boolean;
}

const ROW = 34;
const PLOT_WIDTH = 460;
const TOP = 56;
const BOTTOM = 46;

/**
 * Horizontal bars of the median ratio ours/competitor for every suite, a whisker for the
 * min–max spread over rounds, a dashed red mark at the suite's target and a grey line at
 * parity (1×). Drawn from the result files only, so the chart never shows an unmeasured value.
 */
export function renderChart(results: readonly SuiteResult[]): string {
  const bars = results.flatMap((r) =>
    r.ratios.map<Bar>((x) => ({
      label: `${r.suite} · vs ${x.competitor} · ${x.metric}`,
      median: x.median,
      min: x.min,
      max: x.max,
      target: x.target,
      met: x.met,
    })),
  );
  const height = TOP + Math.max(1, bars.length) * ROW + BOTTOM;
  // About 6.7 px per character at 12 px Helvetica: wide enough for the longest label.
  const LABEL_WIDTH = Math.max(200, Math.ceil(Math.max(0, ...bars.map((b) => b.label.length)) * 6.7) + 24);
  const width = LABEL_WIDTH + PLOT_WIDTH + 90;
  const limit = niceCeiling(Math.max(1.5, ...bars.flatMap((b) => [b.max, b.target ?? 0]).filter(Number.isFinite)));
  const x = (v: number) => LABEL_WIDTH + (Math.min(v, limit) / limit) * PLOT_WIDTH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">nestjs-eventsource: throughput ratio ours / competitor (median of rounds; higher is better)</text>`,
    `<text x="12" y="40" fill="#555">whisker: min–max over rounds · dashed red: target · grey: parity (1×)</text>`,
  ];
  for (const tick of ticks(limit)) {
    out.push(`<line x1="${x(tick)}" y1="${TOP - 6}" x2="${x(tick)}" y2="${height - BOTTOM + 4}" stroke="#eeeeee"/>`);
    out.push(`<text x="${x(tick)}" y="${height - BOTTOM + 18}" text-anchor="middle" fill="#555">${trim(tick)}×</text>`);
  }
  bars.forEach((bar, i) => {
    const y = TOP + i * ROW;
    const mid = y + ROW / 2;
    const colour = bar.target === undefined ? (bar.median >= 1 ? '#4c8bf5' : '#f5a623') : bar.met ? '#2e9e4f' : '#d0021b';
    out.push(`<text x="${LABEL_WIDTH - 8}" y="${mid + 4}" text-anchor="end">${escape(bar.label)}</text>`);
    out.push(
      `<rect x="${LABEL_WIDTH}" y="${y + 8}" width="${Math.max(1, x(bar.median) - LABEL_WIDTH)}" height="${ROW - 16}" fill="${colour}" opacity="0.85"/>`,
    );
    out.push(`<line x1="${x(bar.min)}" y1="${mid}" x2="${x(bar.max)}" y2="${mid}" stroke="#222" stroke-width="1.5"/>`);
    for (const v of [bar.min, bar.max])
      out.push(`<line x1="${x(v)}" y1="${mid - 5}" x2="${x(v)}" y2="${mid + 5}" stroke="#222" stroke-width="1.5"/>`);
    if (bar.target !== undefined) {
      out.push(
        `<line x1="${x(bar.target)}" y1="${y + 3}" x2="${x(bar.target)}" y2="${y + ROW - 3}" stroke="#d0021b" stroke-width="2" stroke-dasharray="4 3"/>`,
      );
    }
    const over = bar.max > limit ? ' ▶' : '';
    out.push(`<text x="${x(Math.max(bar.max, bar.median)) + 6}" y="${mid + 4}">${bar.median.toFixed(2)}×${over}</text>`);
  });
  out.push(`<line x1="${x(1)}" y1="${TOP - 6}" x2="${x(1)}" y2="${height - BOTTOM + 4}" stroke="#888" stroke-width="1.5"/>`);
  if (bars.length === 0) out.push(`<text x="${LABEL_WIDTH}" y="${TOP + 20}">no results yet: run npm run bench</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function writeChart(results: readonly SuiteResult[], file = CHART_FILE): string {
  writeFileSync(file, renderChart(results));
  return file;
}

function niceCeiling(v: number): number {
  for (const step of [1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100]) if (v <= step) return step;
  return Math.ceil(v / 50) * 50;
}

function ticks(limit: number): number[] {
  const step = limit <= 2 ? 0.25 : limit <= 5 ? 0.5 : limit <= 10 ? 1 : limit <= 30 ? 5 : 10;
  const out: number[] = [];
  for (let t = 0; t <= limit + 1e-9; t += step) out.push(Math.round(t * 100) / 100);
  return out;
}

function trim(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/0$/, '');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
