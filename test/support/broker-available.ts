/**
 * Probes a broker before an integration suite. Returns false (the caller skips its suite) when
 * the broker is unreachable on a developer machine; throws when CI=true, so CI fails instead of
 * silently skipping.
 *
 *   const available = await requireBroker('Redis', () => pingRedis(url));
 *   describe.skipIf(!available)('RedisEventBus', () => { ... });
 */
export async function requireBroker(name: string, probe: () => Promise<unknown>, timeoutMs = 5_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true') throw new Error(`${name} is required in CI but unreachable: ${reason}`, { cause: error });
    process.stderr.write(`[integration] ${name} unreachable (${reason}); skipping its tests.\n`);
    return false;
  } finally {
    clearTimeout(timer);
  }
}
