// A response cache for the API's read endpoints (POST /graphql, GET /summary), keyed by the request and
// the version of the indexed data, so identical dashboard queries between two indexed blocks are answered
// from memory. Never stale: a stored answer was computed while the data stood at one version (read before
// and after the computation), and it is served only while a version read that started after the request
// arrived still returns that version. The whole cache is dropped when the version moves.
//
// No Ponder imports here (the version comes from a function), so the logic is testable in-process.
import type { Context, MiddlewareHandler } from "hono";

/** A response as stored: status, headers (not the per-message ones) and the body's bytes. */
export interface StoredResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
}

/** Rough cost of a Map entry and its response object, beyond the key's and body's bytes. */
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * Entries of one data version, least recently used first, within a byte budget (keys at 2 bytes per
 * character, bodies, and a fixed overhead per entry). An entry larger than an eighth of the budget is not
 * kept, so one large answer cannot empty the cache.
 */
export class ResponseCache {
  private version: string | undefined;
  private readonly entries = new Map<string, { response: StoredResponse; bytes: number }>();
  private usedBytes = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.usedBytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Makes `version` the current one; entries of any other version are dropped. */
  setVersion(version: string): void {
    if (version === this.version) return;
    this.version = version;
    this.entries.clear();
    this.usedBytes = 0;
  }

  get(version: string, key: string): StoredResponse | undefined {
    const entry = version === this.version ? this.entries.get(key) : undefined;
    if (entry === undefined) return undefined;
    // Re-insert: a Map iterates in insertion order, so its first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.response;
  }

  /** Stores `response` for `key` if `version` is still the current one and it fits; returns whether it did. */
  set(version: string, key: string, response: StoredResponse): boolean {
    if (version !== this.version) return false;
    const bytes = key.length * 2 + response.body.byteLength + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.maxBytes / 8) return false;
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.entries.delete(key);
      this.usedBytes -= previous.bytes;
    }
    while (this.usedBytes + bytes > this.maxBytes) {
      const [oldest, entry] = this.entries.entries().next().value!;
      this.entries.delete(oldest);
      this.usedBytes -= entry.bytes;
    }
    this.entries.set(key, { response, bytes });
    this.usedBytes += bytes;
    return true;
  }
}

/**
 * Reads the data version on demand, at most one read at a time: callers share a read, but only one that
 * started after they asked (a read already under way may predate the caller's request, so the caller
 * waits for the next one). Under load that is one small query per batch of requests.
 */
export class VersionReader {
  private running: Promise<string> | undefined;
  private waiting: Promise<string> | undefined;
  reads = 0;

  constructor(
    private readonly read: () => Promise<string>,
    private readonly onVersion: (version: string) => void = () => {},
  ) {}

  /** A version read that starts after this call. */
  next(): Promise<string> {
    if (this.waiting !== undefined) return this.waiting;
    if (this.running === undefined) return this.run();
    const after = this.running;
    const ignore = () => {};
    this.waiting = after.then(ignore, ignore).then(() => {
      this.waiting = undefined;
      return this.run();
    });
    return this.waiting;
  }

  private run(): Promise<string> {
    this.reads++;
    const read = this.read().then((version) => {
      this.onVersion(version);
      return version;
    });
    this.running = read;
    const done = () => {
      if (this.running === read) this.running = undefined;
    };
    read.then(done, done);
    return read;
  }
}

export interface CacheOptions {
  cache: ResponseCache;
  versions: VersionReader;
  /** The cache key of a request: everything the answer (body and headers) depends on. */
  key: (c: Context) => Promise<string>;
  /** Whether a computed answer may be stored (e.g. a GraphQL answer without errors). */
  cacheable: (response: StoredResponse) => boolean;
}

/** Headers not kept with an answer: per connection or per message, or set again when it is sent. */
const UNSTORED_HEADERS = new Set(["connection", "content-length", "date", "keep-alive", "transfer-encoding"]);

async function capture(response: Response): Promise<StoredResponse> {
  const headers: [string, string][] = [];
  for (const [name, value] of response.headers) {
    if (!UNSTORED_HEADERS.has(name) && name !== CACHE_HEADER) headers.push([name, value]);
  }
  return { status: response.status, headers, body: new Uint8Array(await response.arrayBuffer()) };
}

/** Says how a request was answered: from the cache, computed (`miss`), or computed as asked (`bypass`). */
export const CACHE_HEADER = "x-gridlease-cache";

/**
 * Sends `stored` as the answer, with the headers of the answer it was captured from (those depend only
 * on the request's key: the CORS headers, for instance, come from the Origin header). The placeholder
 * response Hono made when an earlier middleware (Ponder's CORS) set a header is dropped: Hono would merge
 * it by wrapping the answer into another Response with a stream body (two undici Responses and a
 * streamed write per request, most of a hit's cost); this way the body goes out in one write.
 */
function respond(c: Context, stored: StoredResponse, state: "hit" | "miss"): void {
  const headers: Record<string, string> = Object.fromEntries(stored.headers);
  headers[CACHE_HEADER] = state;
  c.res = undefined;
  c.res = new Response(stored.body, { status: stored.status, headers });
}

/**
 * The cache as a Hono middleware. A request with `Cache-Control: no-cache` is computed afresh (and
 * refreshes the entry); identical requests that miss at the same version share one computation.
 * The answer carries `x-gridlease-cache: hit | miss | bypass` (CACHE_HEADER).
 */
export function responseCache({ cache, versions, key: keyOf, cacheable }: CacheOptions): MiddlewareHandler {
  const computing = new Map<string, Promise<StoredResponse>>();
  return async (c, next) => {
    const key = await keyOf(c);
    const bypass = /\bno-cache\b/i.test(c.req.header("cache-control") ?? "");
    let before: string;
    try {
      before = await versions.next();
    } catch {
      return next(); // no version, no caching: the handler answers (or reports the database's error)
    }
    if (!bypass) {
      const stored = cache.get(before, key);
      if (stored !== undefined) return respond(c, stored, "hit");
      const shared = computing.get(`${before}\n${key}`);
      if (shared !== undefined) {
        const answer = await shared.catch(() => undefined);
        if (answer !== undefined) return respond(c, answer, "miss");
      }
    }
    const slot = `${before}\n${key}`;
    const computation = (async () => {
      await next();
      // A copy: the response itself goes out (once next() has answered, Hono keeps c.res).
      return capture(c.res.clone());
    })();
    if (!bypass) computing.set(slot, computation);
    let answer: StoredResponse;
    try {
      answer = await computation;
    } finally {
      if (computing.get(slot) === computation) computing.delete(slot);
    }
    // Stored only if the data did not move while it was computed (a version never comes back). The
    // check needs one more version read: it runs after the answer is sent.
    if (cacheable(answer)) {
      versions.next().then(
        (after) => after === before && cache.set(before, key, answer),
        () => {},
      );
    }
    c.res.headers.set(CACHE_HEADER, bypass ? "bypass" : "miss");
  };
}

/** The Node request behind a Hono context on @hono/node-server (Ponder's server). */
interface NodeIncoming extends AsyncIterable<Buffer> {
  rawBody?: Buffer;
}

const bodies = new WeakMap<Context, Promise<string>>();

/**
 * The request body as text, read once per request whoever asks first, and left readable for the handlers
 * after it. On Ponder's server the body is read from Node's request and kept as its `rawBody`, which
 * @hono/node-server hands to a Request if a handler needs one (Yoga does, on a miss); a hit never builds
 * the Request. Elsewhere (tests with `app.request`) a clone of the Request is read.
 */
export function requestText(c: Context): Promise<string> {
  let text = bodies.get(c);
  if (text === undefined) {
    text = readText(c);
    bodies.set(c, text);
  }
  return text;
}

async function readText(c: Context): Promise<string> {
  const incoming = (c.env as { incoming?: NodeIncoming } | undefined)?.incoming;
  if (incoming === undefined) return c.req.raw.clone().text();
  if (incoming.rawBody === undefined) {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk);
    incoming.rawBody = Buffer.concat(chunks);
  }
  return incoming.rawBody.toString("utf8");
}
