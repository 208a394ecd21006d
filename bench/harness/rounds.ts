/**
 * Runs every contender once per round, in the same order each round (A B C A B C ...), after
 * warm-up rounds that are not recorded. Alternating inside one process spreads slow phases of
 * the machine (GC, other processes) over all contenders instead of penalising one of them.
 */
export interface Contender<R> {
  name: string;
  /** Runs one measured pass and returns its metrics (e.g. { eventsPerSec: 1234 }). */
  run(round: number): Promise<R>;
}

export interface RoundOptions {
  rounds: number;
  warmupRounds: number;
  /** Called after each pass, for progress output. */
  onPass?: (round: number, contender: string, metrics: unknown, warmup: boolean) => void;
  /** Runs between passes (e.g. a forced GC) so one pass's garbage is not billed to the next. */
  between?: () => Promise<void> | void;
}

/** metrics[contender][round] */
export type RoundResults<R> = Record<string, R[]>;

export async function runRounds<R>(contenders: readonly Contender<R>[], options: RoundOptions): Promise<RoundResults<R>> {
  const results: RoundResults<R> = Object.fromEntries(contenders.map((c) => [c.name, [] as R[]]));
  const total = options.warmupRounds + options.rounds;
  for (let round = 0; round < total; round++) {
    const warmup = round < options.warmupRounds;
    for (const contender of contenders) {
      await options.between?.();
      const metrics = await contender.run(round);
      options.onPass?.(round - options.warmupRounds + 1, contender.name, metrics, warmup);
      if (!warmup) results[contender.name].push(metrics);
    }
  }
  return results;
}

/** Per-round ratio ours/competitor of one higher-is-better metric. */
export function ratiosPerRound<R>(results: RoundResults<R>, ours: string, competitor: string, metric: (r: R) => number): number[] {
  const a = results[ours];
  const b = results[competitor];
  return a.map((r, i) => metric(r) / metric(b[i]));
}

export function collectGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
}
