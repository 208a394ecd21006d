import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ContractHarness, type BrokerContractOptions, type MakeBus } from './broker-bus/contract-harness.js';
import { deliveryContract } from './broker-bus/delivery.contract-part.js';
import { failuresContract } from './broker-bus/failures.contract-part.js';
import { lifecycleContract } from './broker-bus/lifecycle.contract-part.js';

export type { BrokerContractOptions, ContractBusOptions, MakeBus } from './broker-bus/contract-harness.js';

/**
 * The behaviour every broker bus shares (design §3 and §5), run against a real broker.
 * Each test uses its own prefix (stream/exchange/topic) and consumer groups.
 *
 *   brokerBusContract('RedisEventBus', ({ group, consumerName, prefix, config, logger }) =>
 *     new RedisEventBus({ streamPrefix: prefix, consumerGroup: group, consumerName, ...config }, { logger }),
 *     { injectRaw: (prefix, body, fields) => ..., cleanup: (prefixes) => ... });
 */
export function brokerBusContract(name: string, makeBus: MakeBus, options: BrokerContractOptions): void {
  describe.skipIf(options.skip === true)(`${name} (broker bus contract)`, () => {
    const harness = new ContractHarness(name, makeBus, options);
    let baseline = { sockets: 0, timers: 0 };

    beforeAll(() => {
      baseline = openHandles();
    });

    afterEach(async () => {
      await harness.shutdownAll();
    });

    afterAll(async () => {
      await harness.shutdownAll();
      await options.cleanup?.(harness.prefixes);
    });

    deliveryContract(harness);
    failuresContract(harness);
    lifecycleContract(harness);

    it('leaves no open sockets or timers once every bus is shut down', async () => {
      await harness.shutdownAll();
      await options.cleanup?.(harness.prefixes.splice(0));
      const settled = () => {
        const now = openHandles();
        return now.sockets <= baseline.sockets && now.timers <= baseline.timers;
      };
      await harness.wait(settled, 5_000).catch(() => undefined);
      const now = openHandles();
      expect(now.sockets).toBeLessThanOrEqual(baseline.sockets);
      expect(now.timers).toBeLessThanOrEqual(baseline.timers);
    });
  });
}

/** Sockets and timers keeping the process alive (vitest's own pipes excluded). */
function openHandles(): { sockets: number; timers: number } {
  const resources = process.getActiveResourcesInfo();
  return {
    sockets: resources.filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length,
    timers: resources.filter((r) => r === 'Timeout' || r === 'Immediate').length,
  };
}
