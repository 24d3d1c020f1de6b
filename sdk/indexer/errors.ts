// The one error the indexer client throws: it names the endpoint, what failed and what to do, so a
// dashboard or an MCP tool can show it as is; `kind`, `status` and `graphqlErrors` let a caller word its own.

/** What went wrong talking to the indexer. */
export type IndexerErrorKind =
  /** The request never got an answer (connection refused, DNS, CORS, aborted). */
  | "network"
  /** No answer within the client's timeout. */
  | "timeout"
  /** An HTTP error status without a GraphQL error list. */
  | "http"
  /** The GraphQL answer carried `errors`. */
  | "graphql"
  /** The answer was not what this SDK expects (not JSON, a field missing or of another type). */
  | "response";

/** One entry of a GraphQL answer's `errors`, with the indexer's `extensions.code` when it sets one. */
export interface GraphqlErrorEntry {
  /** The server's message. */
  readonly message: string;
  /** `extensions.code`, e.g. "PAGE_SIZE_EXCEEDED". */
  readonly code?: string;
}

/** Thrown by every indexer query; the message says which endpoint, what failed and what to do. */
export class IndexerError extends Error {
  /** The URL asked (e.g. "http://127.0.0.1:42069/graphql"). */
  readonly endpoint: string;
  /** What went wrong. */
  readonly kind: IndexerErrorKind;
  /** The HTTP status, when an answer arrived. */
  readonly status?: number;
  /** The GraphQL errors, for kind "graphql". */
  readonly graphqlErrors: readonly GraphqlErrorEntry[];

  constructor(
    endpoint: string,
    kind: IndexerErrorKind,
    message: string,
    details: { status?: number; graphqlErrors?: readonly GraphqlErrorEntry[]; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "IndexerError";
    this.endpoint = endpoint;
    this.kind = kind;
    if (details.status !== undefined) this.status = details.status;
    this.graphqlErrors = details.graphqlErrors ?? [];
  }
}
