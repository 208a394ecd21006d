import type { InProcessContender } from './contender.js';
import { cqrsContender } from './cqrs.contender.js';
import { eventEmitterContender } from './event-emitter.contender.js';
import { oursContender } from './ours.contender.js';
import { plainLoopContender } from './plain-loop.contender.js';

/** Short keys for child processes (memory suite), in the order suites run them. */
export const CONTENDER_FACTORIES: Record<string, () => InProcessContender> = {
  ours: oursContender,
  cqrs: cqrsContender,
  emitAsync: () => eventEmitterContender('sequential'),
  loop: plainLoopContender,
};
