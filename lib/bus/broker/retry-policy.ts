export interface RetryPolicyConfig {
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  retryJitter: number;
}

/** Exponential backoff with jitter: base × 2^(attempt-1), capped, spread by ±jitter. */
export class RetryPolicy {
  constructor(
    private readonly config: RetryPolicyConfig,
    private readonly random: () => number = Math.random,
  ) {}

  /** Whether a failure on this attempt (1 = first delivery) gets another try. */
  willRetry(attempt: number): boolean {
    return attempt <= this.config.maxRetries;
  }

  /** Delay before the attempt after `attempt`. */
  delayAfter(attempt: number): number {
    const { retryBaseDelayMs, retryMaxDelayMs, retryJitter } = this.config;
    const exponential = Math.min(retryMaxDelayMs, retryBaseDelayMs * 2 ** Math.max(0, attempt - 1));
    const spread = exponential * retryJitter * (this.random() * 2 - 1);
    return Math.max(0, Math.round(Math.min(retryMaxDelayMs, exponential + spread)));
  }
}
