/** A benchmark suite as bench/run.ts sees it. */
export interface BenchSuite {
  name: string;
  title: string;
  /** Resolves 'skipped' when a broker is unreachable (outside strict mode); throws on failure. */
  run(): Promise<'done' | 'skipped'>;
}
