import { MissingDependencyError } from '../errors/missing-dependency.error.js';

/**
 * Loads an optional peer dependency on first use, so users install only the client of the
 * broker they run. A missing package becomes MissingDependencyError with the npm command.
 */
export async function loadPackage<T>(packageName: string, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new MissingDependencyError(packageName, feature, error);
    }
    throw error;
  }
}
