// The transport to the Ponder indexer's HTTP API (indexer/src/api/index.ts): GraphQL over POST /graphql and
// the REST endpoints, through the global `fetch` only (browser-safe). Every failure becomes an
// IndexerError naming the endpoint, what failed and what to do.

import { IndexerError, type GraphqlErrorEntry } from "./errors.ts";

/** Largest page a GraphQL list query may ask for (the indexer's MAX_PAGE_SIZE; it refuses more with HTTP 400). */
export const MAX_INDEXER_PAGE_SIZE = 200;

/** Where the indexer listens by default (`npm start`, `npm run indexer:dev`). */
export const DEFAULT_INDEXER_URL = "http://127.0.0.1:42069";

/** How to reach the indexer. */
export interface IndexerClientOptions {
  /** The indexer's base URL, e.g. "http://127.0.0.1:42069" (a trailing slash is fine). */
  readonly url: string;
  /** Milliseconds to wait for an answer before failing with kind "timeout" (default 10,000). */
  readonly timeoutMs?: number;
  /** Extra request headers (an API gateway's key, for example). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The fetch to use (default: the global one); for tests or a custom agent. */
  readonly fetch?: typeof globalThis.fetch;
}

/** A GraphQL and REST client for the indexer; the typed queries (sdk/indexer/*.ts) take one. */
export class IndexerClient {
  /** The base URL, without a trailing slash. */
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly fetchImpl: typeof globalThis.fetch;

  constructor(options: IndexerClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.headers = options.headers ?? {};
    // Bound to globalThis: a browser's fetch throws "Illegal invocation" when called as a method of another object.
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /**
   * Runs a GraphQL query and returns its `data`. Throws {@link IndexerError}: "graphql" when the answer has
   * `errors` (with their messages and codes), "network", "timeout", "http" or "response" otherwise.
   */
  async graphql(query: string, variables: Readonly<Record<string, unknown>> = {}): Promise<Record<string, unknown>> {
    const endpoint = `${this.url}/graphql`;
    const answer = await this.request(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...this.headers },
      body: JSON.stringify({ query, variables }),
    });
    if (Array.isArray(answer.errors) && answer.errors.length > 0)
      throw graphqlError(endpoint, answer.errors, answer.status);
    const data = (answer.json as { data?: unknown } | null)?.data;
    if (typeof data !== "object" || data === null) {
      throw new IndexerError(
        endpoint,
        "response",
        `the indexer at ${endpoint} answered without data (HTTP ${answer.status}): check that the URL points at a ` +
          `Gridlease indexer (its /graphql endpoint answers POST)`,
        { status: answer.status },
      );
    }
    return data as Record<string, unknown>;
  }

  /** GETs a REST endpoint (e.g. "/summary") and returns its JSON body; throws {@link IndexerError} as {@link graphql} does. */
  async getJson(path: string): Promise<unknown> {
    const endpoint = `${this.url}${path.startsWith("/") ? path : `/${path}`}`;
    return (await this.request(endpoint, { method: "GET", headers: { accept: "application/json", ...this.headers } }))
      .json;
  }

  /** Sends the request; returns the parsed JSON body (and GraphQL `errors` if any) of an answer. */
  private async request(
    endpoint: string,
    init: RequestInit,
  ): Promise<{ json: unknown; status: number; errors?: unknown }> {
    let response: Response;
    try {
      response = await this.fetchImpl(endpoint, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw transportError(endpoint, error, this.timeoutMs);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw transportError(endpoint, error, this.timeoutMs);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new IndexerError(
        endpoint,
        response.ok ? "response" : "http",
        `the indexer at ${endpoint} answered HTTP ${response.status} with a body that is not JSON ` +
          `(${JSON.stringify(text.slice(0, 120))}): check that the URL points at a Gridlease indexer` +
          (response.ok ? "" : statusAdvice(response.status)),
        { status: response.status },
      );
    }
    const errors = (json as { errors?: unknown } | null)?.errors;
    if (!response.ok && !Array.isArray(errors)) {
      const detail = (json as { error?: unknown } | null)?.error;
      throw new IndexerError(
        endpoint,
        "http",
        `the indexer at ${endpoint} answered HTTP ${response.status}` +
          (typeof detail === "string" ? ` (${detail})` : "") +
          statusAdvice(response.status),
        { status: response.status },
      );
    }
    return { json, status: response.status, errors };
  }
}

/** What to do about an HTTP error status. */
function statusAdvice(status: number): string {
  if (status === 503) return ": the indexer has nothing indexed yet; wait until its /ready answers 200, then retry";
  if (status === 404) return ": this indexer has no such endpoint; check the URL and the indexer's version";
  if (status >= 500) return ": the indexer failed; retry, and read its log if it keeps failing";
  return ": check the request against indexer/README.md";
}

/** An IndexerError for a fetch that got no answer. */
function transportError(endpoint: string, error: unknown, timeoutMs: number): IndexerError {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === "TimeoutError") {
    return new IndexerError(
      endpoint,
      "timeout",
      `the indexer at ${endpoint} did not answer within ${timeoutMs} ms: it may be busy backfilling; retry, or ` +
        `raise timeoutMs`,
      { cause: error },
    );
  }
  const reason =
    error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  return new IndexerError(
    endpoint,
    "network",
    `cannot reach the indexer at ${endpoint} (${reason}): check that it is running (\`npm run indexer:dev\`, ` +
      `port 42069 by default) and that the URL is right`,
    { cause: error },
  );
}

/** An IndexerError for a GraphQL answer with `errors`. */
function graphqlError(endpoint: string, errors: readonly unknown[], status: number): IndexerError {
  const entries: GraphqlErrorEntry[] = errors.map((entry) => {
    const { message, extensions } = (entry ?? {}) as { message?: unknown; extensions?: { code?: unknown } };
    const code = typeof extensions?.code === "string" ? extensions.code : undefined;
    return { message: typeof message === "string" ? message : JSON.stringify(entry), ...(code ? { code } : {}) };
  });
  const advice = entries.some((entry) => /Cannot query field|Unknown argument|Unknown type/.test(entry.message))
    ? "the indexer's schema and this SDK differ; update the SDK (sdk/indexer/) or the indexer so they agree"
    : entries.some((entry) => entry.code?.endsWith("LIMIT") || entry.code === "PAGE_SIZE_EXCEEDED")
      ? `ask for 0 to ${MAX_INDEXER_PAGE_SIZE} rows and page with the returned cursor`
      : "fix the query or its variables as the message says";
  return new IndexerError(
    endpoint,
    "graphql",
    `the indexer at ${endpoint} refused the query: ${entries.map((entry) => entry.message).join("; ")}: ${advice}`,
    { status, graphqlErrors: entries },
  );
}
