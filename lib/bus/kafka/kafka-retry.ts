/**
 * Repeats `work` while it fails with a retriable Kafka error, for up to `timeoutMs`. A busy
 * broker answers requests about a topic it has just created with UNKNOWN_TOPIC_OR_PARTITION or
 * NOT_LEADER_OR_FOLLOWER for a moment; admin calls of the bus ride that out.
 */
export async function retryRetriable<T>(work: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt)));
    }
  }
}
