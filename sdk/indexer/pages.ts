// Ponder's list answers ({ items, pageInfo, totalCount }) decoded into a Page, and the page-size check
// the indexer applies (done here first, so the error says what to pass before any request is sent).

import { MAX_INDEXER_PAGE_SIZE } from "./client.ts";
import { IndexerError } from "./errors.ts";
import { decodeRow, selection, type FieldSpec, type Row } from "./fields.ts";

/** One page of a list query, newest first unless the query says otherwise. */
export interface Page<T> {
  /** The rows of this page. */
  readonly items: readonly T[];
  /** Rows matching the filter in all pages. */
  readonly totalCount: number;
  /** Whether another page follows; pass `endCursor` as `after` to get it. */
  readonly hasNextPage: boolean;
  /** The cursor after this page's last row (null for an empty page). */
  readonly endCursor: string | null;
}

/** Paging options shared by the list queries. */
export interface PageOptions {
  /** Rows per page, 1 to {@link MAX_INDEXER_PAGE_SIZE} (default 20). */
  readonly limit?: number;
  /** The `endCursor` of the previous page. */
  readonly after?: string;
}

/** The selection of a page of rows of `spec`. */
export function pageSelection(spec: FieldSpec): string {
  return `items { ${selection(spec)} } pageInfo { hasNextPage endCursor } totalCount`;
}

/** The limit to send: `limit` checked against the indexer's bounds, or the default 20. */
export function pageLimit(limit: number | undefined, what: string): number {
  const value = limit ?? 20;
  if (!Number.isInteger(value) || value < 1 || value > MAX_INDEXER_PAGE_SIZE) {
    throw new RangeError(
      `${what}: limit ${value} is not allowed; pass a whole number from 1 to ${MAX_INDEXER_PAGE_SIZE} and page with the ` +
        `returned endCursor`,
    );
  }
  return value;
}

/** Decodes a list answer at `data[field]` into a Page of rows of `spec`. */
export function decodePage<S extends FieldSpec>(
  spec: S,
  data: Record<string, unknown>,
  field: string,
  endpoint: string,
): Page<Row<S>> {
  const page = data[field] as {
    items?: unknown;
    pageInfo?: { hasNextPage?: unknown; endCursor?: unknown };
    totalCount?: unknown;
  };
  const items = page?.items;
  const pageInfo = page?.pageInfo;
  if (
    !Array.isArray(items) ||
    typeof page.totalCount !== "number" ||
    typeof pageInfo?.hasNextPage !== "boolean" ||
    !(typeof pageInfo.endCursor === "string" || pageInfo.endCursor === null)
  ) {
    throw new IndexerError(
      endpoint,
      "response",
      `the indexer at ${endpoint} answered ${field} without items, pageInfo and totalCount: the indexer's schema and ` +
        `this SDK differ; update the SDK (sdk/indexer/) or the indexer so they agree`,
    );
  }
  return {
    items: items.map((item, index) => decodeRow(spec, item, endpoint, `${field}.items[${index}]`)),
    totalCount: page.totalCount,
    hasNextPage: pageInfo.hasNextPage,
    endCursor: pageInfo.endCursor,
  };
}
