// A TCP relay in front of a server that a test can freeze: bytes stop flowing both ways while the connections stay
// open, as when a database host is stopped (SIGSTOP) or a network path goes quiet. New connections are accepted and
// then hang too.
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let frozen = false;
  const pairs = new Set<{ held: (() => void)[]; sockets: Socket[] }>();
  const relay = (from: Socket, to: Socket, held: (() => void)[]) =>
    from.on('data', (chunk) => {
      if (frozen) held.push(() => to.write(chunk));
      else to.write(chunk);
    });
  const server = createServer((client) => {
    const upstream = createConnection(target);
    const pair = { held: [] as (() => void)[], sockets: [client, upstream] };
    pairs.add(pair);
    relay(client, upstream, pair.held);
    relay(upstream, client, pair.held);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const p of pairs) for (const send of p.held.splice(0)) send();
    },
    close() {
      for (const p of pairs) for (const s of p.sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
