import { connect } from 'node:net';
import { banner } from './table.js';

/** True when CI=true or BENCH_STRICT=1: an unreachable broker is then a failure, not a skip. */
export function strictMode(): boolean {
  return process.env.CI === 'true' || process.env.BENCH_STRICT === '1';
}

export function tcpReachable(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

export class BrokerUnavailableError extends Error {}

/**
 * Returns true when the broker answers. Otherwise prints a loud banner and returns false
 * (the suite is skipped) — or throws in strict mode so CI cannot pass without the numbers.
 */
export async function requireBroker(suite: string, what: string, host: string, port: number): Promise<boolean> {
  if (await tcpReachable(host, port)) return true;
  const message = `${what} is NOT reachable at ${host}:${port}`;
  if (strictMode()) throw new BrokerUnavailableError(`${suite}: ${message} (CI/BENCH_STRICT: failing instead of skipping)`);
  banner(`!!! SKIPPING SUITE '${suite}': ${message} !!!`);
  console.log('!!! No numbers were measured for this suite. Start the broker and run it again. !!!\n');
  return false;
}
