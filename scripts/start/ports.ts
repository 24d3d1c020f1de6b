// Free local ports: `npm start` refuses a port another process holds (scripts/start.ts), and the test
// harnesses (indexer/harness, test/kit) pick a free block, so that a run never attaches to a process another
// run (or a stale one) left listening.
import { createServer } from "node:net";

/** Whether `port` on 127.0.0.1 can be listened on now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * The first port from `from` such that it and the `count - 1` ports after it are all free; the search
 * covers 50 candidates.
 */
export async function freePorts(from: number, count = 1): Promise<number> {
  search: for (let port = from; port < from + 50; port++) {
    for (let offset = 0; offset < count; offset++) if (!(await portIsFree(port + offset))) continue search;
    return port;
  }
  throw new Error(`no ${count} free consecutive port(s) from ${from} to ${from + 49 + count - 1}`);
}
