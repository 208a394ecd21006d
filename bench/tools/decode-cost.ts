import 'reflect-metadata';
/**
 * What decoding one bench event costs, piece by piece, without a broker:
 *   node --import @swc-node/register/esm-register bench/tools/decode-cost.ts
 */
import { EventCodec } from '../../lib/events/event-codec.js';
import { makeEvents } from '../harness/events.js';

const N = 20000;
const events = makeEvents(N, 500);
const codec = new EventCodec();
const bodies = events.map((e) => codec.encode(e));
function time(label: string, fn: () => void) {
  for (let r = 0; r < 3; r++) fn();
  const t = process.hrtime.bigint();
  for (let r = 0; r < 5; r++) fn();
  const ns = Number(process.hrtime.bigint() - t) / 5 / N;
  console.log(`${label.padEnd(30)} ${(ns / 1000).toFixed(2)} µs/event`);
}
let sink = 0;
time('JSON.parse', () => {
  for (const b of bodies) sink += (JSON.parse(b) as { aggregate_version: number }).aggregate_version;
});
time('codec.encode', () => {
  for (const e of events) sink += codec.encode(e).length;
});
time('codec.decode', () => {
  for (const b of bodies) sink += codec.decode(b).aggregateVersion;
});
const parsed = bodies.map((b) => JSON.parse(b));
const cls = codec.registry.get('bench.OrderPlaced');
time('fromBody (no parse)', () => {
  for (const p of parsed) sink += codec.fromBody(p, cls).aggregateVersion;
});
const { validateSync } = await import('class-validator');
time('validateSync', () => {
  for (const e of events) sink += validateSync(e, { forbidUnknownValues: false }).length;
});
const inits = events.map((e) => ({ ...e }));
const Ctor = cls as unknown as new (i: unknown) => { aggregateVersion: number };
time('new BenchOrderPlaced', () => {
  for (const i of inits) sink += new Ctor(i).aggregateVersion;
});
if (!(sink > 0)) throw new Error('nothing was measured');
