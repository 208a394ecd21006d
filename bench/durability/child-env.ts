import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventSourcingLogger } from '../../lib/utils/logger.util.js';
import { brokerSpec, type BrokerName, type DurableBus, type RunNames } from './brokers.js';
import { redirectPort } from './redirect.js';

export type ScenarioKey = 'consumer-killed' | 'connection-cut' | 'poison' | 'garbage';

/** Everything a child process needs, passed as JSON in DURABILITY_RUN. */
export interface RunSpec {
  broker: BrokerName;
  scenario: ScenarioKey;
  names: RunNames;
  /** Port of the TCP proxy in front of the broker. */
  viaPort: number;
  /** Directory of the run's log files. */
  dir: string;
  events: number;
  aggregates: number;
  ratePerSec: number;
}

export function readSpec(): RunSpec {
  const raw = process.env.DURABILITY_RUN;
  if (!raw) throw new Error('DURABILITY_RUN is not set');
  return JSON.parse(raw) as RunSpec;
}

/** Library warnings and errors go to a file: poison events alone log hundreds of failures. */
export function fileLogger(dir: string, who: string): EventSourcingLogger {
  const file = join(dir, `${who}.log`);
  const write = (level: string, message: string) =>
    appendFileSync(file, `${new Date().toISOString()} ${level} ${message.split('\n')[0]}\n`);
  return { error: (m) => write('ERROR', m), warn: (m) => write('WARN', m) };
}

/** Creates the bus of the run, connected through the proxy (Kafka: through the port redirect). */
export async function createBus(spec: RunSpec, who: string): Promise<DurableBus> {
  const broker = brokerSpec(spec.broker);
  if (spec.broker === 'kafka') redirectPort(broker.port, spec.viaPort);
  const Bus = await broker.loadBus();
  return new Bus(broker.busConfig(spec.names, spec.viaPort), { logger: fileLogger(spec.dir, who) });
}

export function send(message: Record<string, unknown>): void {
  process.send?.(message);
}
