// Test support: a unix-socket proxy in front of the container engine's API socket, so a test can take the
// engine away from one node (close the proxy: its socket file goes, open connections break) and give it back,
// without touching the shared engine other tests and people use.
import { connect, createServer, type Server, type Socket } from "node:net";

export interface EngineProxy {
  path: string;
  /** Closes the listener and breaks every open connection. */
  close(): Promise<void>;
  /** Listens again on the same path. */
  open(): Promise<void>;
}

/** A proxy at `path` forwarding every connection to the engine socket `target`; resolves once it listens. */
export async function startEngineProxy(path: string, target: string): Promise<EngineProxy> {
  const open = new Set<Socket>();
  let server: Server | undefined;
  const listen = async (): Promise<void> => {
    const next = createServer((client) => {
      const upstream = connect(target);
      open.add(client);
      open.add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
        open.delete(client);
        open.delete(upstream);
      };
      client.on("error", end).on("close", end);
      upstream.on("error", end).on("close", end);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      next.once("error", reject);
      next.listen(path, resolve);
    });
    server = next;
  };
  await listen();
  return {
    path,
    open: listen,
    async close() {
      const closing = server;
      server = undefined;
      if (closing === undefined) return;
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      for (const socket of open) socket.destroy();
      open.clear();
      await closed;
    },
  };
}
