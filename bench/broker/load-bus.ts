import { banner } from '../harness/table.js';
import { strictMode } from '../harness/broker-probe.js';

/**
 * Loads one of our broker bus classes by name: from the package root, else from its own
 * module. Missing → a loud message and undefined (suite skipped), or an error in strict mode.
 */
export async function loadBusClass<T>(exportName: string, modulePath: string): Promise<T | undefined> {
  const attempts: unknown[] = [];
  for (const path of ['../../lib/index.js', modulePath]) {
    try {
      const mod = (await import(path)) as Record<string, unknown>;
      if (typeof mod[exportName] === 'function') return mod[exportName] as T;
      attempts.push(`${path}: no export ${exportName}`);
    } catch (error) {
      attempts.push(`${path}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const message = `${exportName} is not available yet (${attempts.join('; ')})`;
  if (strictMode()) throw new Error(message);
  banner(`!!! SKIPPING: ${message} !!!`);
  return undefined;
}
