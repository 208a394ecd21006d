import net from 'node:net';

interface Link {
  client: net.Socket;
  upstream?: net.Socket;
  /** Traffic silently dropped: a half-open connection (no FIN, no RST). */
  blackholed: boolean;
}

/**
 * A TCP proxy in front of a broker, for fault tests: cut every connection, refuse new ones for a
 * while, black-hole traffic (half-open sockets) until resumed, or slow every chunk down.
 *
 *   const proxy = new TcpProxy('127.0.0.1', 6379);
 *   const port = await proxy.start();   // point the client at 127.0.0.1:port
 *   proxy.cutConnections();             // like a broker restart or a network reset
 *   await proxy.stop();
 */
export class TcpProxy {
  /** Connections accepted and forwarded (or black-holed) since start. */
  connectionsAccepted = 0;
  private server?: net.Server;
  private readonly links = new Set<Link>();
  private refusingUntil = 0;
  private refuseTimer?: NodeJS.Timeout;
  private paused = false;
  /** Added to every chunk in both directions (order kept): a slow network. */
  private latencyMs = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('TcpProxy is not started');
    return address.port;
  }

  /** Listens on a free port of 127.0.0.1 and returns it. */
  async start(): Promise<number> {
    this.server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    return this.port;
  }

  /** Destroys every open connection (both sides see a reset). New connections still work. */
  cutConnections(): void {
    for (const link of this.links) this.destroy(link);
  }

  /** Cuts every connection and refuses new ones for `ms` (they are closed at once). */
  refuse(ms: number): void {
    this.refusingUntil = Date.now() + ms;
    clearTimeout(this.refuseTimer);
    this.refuseTimer = setTimeout(() => (this.refusingUntil = 0), ms);
    this.cutConnections();
  }

  /** From now on bytes are dropped in both directions and sockets stay open: a half-open network. */
  pause(): void {
    this.paused = true;
    for (const link of this.links) link.blackholed = true;
  }

  /** Ends the black hole: black-holed connections are reset (as a real network eventually does). */
  resume(): void {
    this.paused = false;
    for (const link of this.links) if (link.blackholed) this.destroy(link);
  }

  /** Delays every chunk, both ways, by `ms` from now on (0: forward at once). */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  async stop(): Promise<void> {
    clearTimeout(this.refuseTimer);
    this.cutConnections();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (Date.now() < this.refusingUntil) {
      client.destroy();
      return;
    }
    this.connectionsAccepted++;
    const link: Link = { client, blackholed: this.paused };
    this.links.add(link);
    client.on('error', () => this.destroy(link));
    client.on('close', () => this.destroy(link));
    client.on('data', (chunk) => this.forward(link, chunk, () => link.upstream));
    if (link.blackholed) return; // never reaches the broker
    const upstream = net.connect(this.targetPort, this.targetHost);
    link.upstream = upstream;
    client.pause();
    upstream.on('connect', () => client.resume());
    upstream.on('data', (chunk) => this.forward(link, chunk, () => link.client));
    upstream.on('error', () => this.destroy(link));
    upstream.on('close', () => this.destroy(link));
  }

  /** Timers with the same delay fire in the order they were set, so the byte order holds. */
  private forward(link: Link, chunk: Buffer, to: () => net.Socket | undefined): void {
    const send = () => {
      if (!link.blackholed && this.links.has(link)) to()?.write(chunk);
    };
    if (this.latencyMs > 0) setTimeout(send, this.latencyMs);
    else send();
  }

  private destroy(link: Link): void {
    if (!this.links.delete(link)) return;
    link.client.destroy();
    link.upstream?.destroy();
  }
}
