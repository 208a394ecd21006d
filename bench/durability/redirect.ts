import net from 'node:net';

/**
 * Sends every TCP connection aimed at `fromPort` to `toPort` instead. Kafka clients connect to
 * the addresses the broker advertises (127.0.0.1:9092), not to the bootstrap address, so a
 * proxy is only in the path if the connections themselves are redirected. Used only inside the
 * durability child processes.
 */
export function redirectPort(fromPort: number, toPort: number): void {
  const original = net.connect;
  const patched = ((...args: unknown[]) => {
    const options = args[0];
    if (options && typeof options === 'object' && Number((options as { port?: unknown }).port) === fromPort) {
      args[0] = { ...(options as object), port: toPort };
    }
    return (original as (...a: unknown[]) => net.Socket)(...args);
  }) as typeof net.connect;
  net.connect = patched;
  net.createConnection = patched;
}
