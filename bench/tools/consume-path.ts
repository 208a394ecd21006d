import 'reflect-metadata';
import { BrokerEventBus } from '../../lib/bus/broker/broker.event-bus.js';
import type { BrokerTransport, ConsumerSink, IncomingMessage } from '../../lib/bus/broker/broker-transport.js';
import { resolveBrokerConfig } from '../../lib/bus/broker/broker.config.js';
import { toIncoming, toStreamFields } from '../../lib/bus/redis/redis-wire.js';
import { EventCodec } from '../../lib/events/event-codec.js';
import { BenchOrderPlaced, makeEvents } from '../harness/events.js';
import { forEachLimit, fromWireBody } from '../broker/session.js';

/**
 * CPU cost per consumed event of the shared broker core alone, without a broker: entries as
 * Redis returns them are fed to a bus whose transport acks into nothing. Compared with the raw
 * loop of the Redis benchmark (JSON.parse, handlers 16 at a time).
 *   node --import @swc-node/register/esm-register bench/tools/consume-path.ts [events]
 */
const N = Number(process.argv[2] ?? 50_000);
const codec = new EventCodec();
const entries = makeEvents(N, 500).map(
  (event, i) => [`${i}-0`, toStreamFields({ event, body: codec.encode(event) })] as [string, string[]],
);

class Loopback implements BrokerTransport {
  readonly kind = 'loopback';
  readonly consumerGroup = 'g';
  readonly consumerName = 'c';
  acked = 0;
  sink?: ConsumerSink;
  connect = async () => undefined;
  disconnect = async () => undefined;
  isConnected = () => true;
  publish = async () => undefined;
  startConsuming = async (sink: ConsumerSink) => void (this.sink = sink);
  stopConsuming = async () => undefined;
  ack = async () => void this.acked++;
  deadLetter = async () => undefined;
  getDlqMessages = async () => [];
  readDlqMessage = async () => undefined;
  getDlqMessageCount = async () => 0;
  removeDlqMessage = async () => false;
  purgeDlq = async () => 0;
  healthCheck = async () => ({ healthy: true, status: 'healthy' as const, details: {} });
}

class LoopbackBus extends BrokerEventBus {
  constructor(readonly loop: Loopback) {
    super(resolveBrokerConfig({ concurrency: 16 }) as never, () => loop);
  }
}

async function ours(): Promise<number> {
  const loop = new Loopback();
  const bus = new LoopbackBus(loop);
  let seen = 0;
  let checksum = 0;
  bus.subscribe(BenchOrderPlaced, async (e) => {
    await Promise.resolve();
    checksum += e.totalAmount;
    seen++;
  });
  await bus.startConsuming();
  const sink = loop.sink!;
  const start = performance.now();
  for (let i = 0; i < entries.length; i += 100) {
    for (const [id, fields] of entries.slice(i, i + 100)) {
      await sink.ready();
      sink.deliver(toIncoming(id, fields, false) as IncomingMessage);
    }
  }
  await bus.whenIdle();
  const ms = performance.now() - start;
  if (seen !== N || loop.acked !== N) throw new Error(`seen ${seen}, acked ${loop.acked}`);
  await bus.shutdown();
  return (ms * 1000) / N + checksum * 0;
}

async function raw(): Promise<number> {
  let seen = 0;
  const start = performance.now();
  for (let i = 0; i < entries.length; i += 100) {
    await forEachLimit(entries.slice(i, i + 100), 16, async ([, fields]) => {
      const e = fromWireBody(JSON.parse(fields[13]!) as Record<string, unknown>);
      await Promise.resolve();
      seen += e.totalAmount > 0 ? 1 : 0;
    });
  }
  if (seen !== N) throw new Error(`raw seen ${seen}`);
  return ((performance.now() - start) * 1000) / N;
}

for (let round = 0; round < 5; round++) {
  const a = await ours();
  const b = await raw();
  console.log(`round ${round}: ours ${a.toFixed(2)} µs/event, raw ${b.toFixed(2)} µs/event, extra ${(a - b).toFixed(2)} µs`);
}
