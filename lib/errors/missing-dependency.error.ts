import { EventSourcingError } from './event-sourcing.error.js';

export class MissingDependencyError extends EventSourcingError {
  constructor(
    readonly packageName: string,
    feature: string,
    cause?: unknown,
  ) {
    super(`${feature} needs the package '${packageName}'. Install it: npm install ${packageName}`, { cause });
  }
}
