// Jobs as the indexer records them (table `job`, with its `bid` rows and `dispute`): recent jobs with
// filters, and one job in full.

import type { JobStateName, PricingRuleName } from "../enums.ts";
import { MAX_INDEXER_PAGE_SIZE, type IndexerClient } from "./client.ts";
import { decodeRow, selection, type Row } from "./fields.ts";
import { decodePage, pageLimit, pageSelection, type Page, type PageOptions } from "./pages.ts";

/**
 * The indexer's `job` row. Prices are per GPU-hour in payment token units (`*Usd`: USD, 18 decimals); times
 * are unix seconds; `state` is the stored state (the indexer never reports Revealing); `outcome` says how
 * it ended (settled, expired, cancelled, stopped, failed_no_show, failed_late, resolved_for_renter).
 */
export const INDEXED_JOB_FIELDS = {
  id: "bigint",
  renter: "string",
  paymentToken: "string",
  isCredits: "boolean",
  creditFloor: "bigint?",
  gpuModel: "string",
  gpuModelName: "string",
  gpuCount: "int",
  minVramGb: "int",
  region: "int",
  minReputation: "int",
  duration: "bigint",
  reservePricePerGpuHour: "bigint",
  reservePriceUsd: "bigint",
  pricingRule: "string",
  specHash: "string",
  bidDeadline: "bigint",
  revealDeadline: "bigint",
  budget: "bigint",
  paramsId: "int",
  state: "string",
  outcome: "string?",
  createdAt: "bigint",
  createdBlock: "bigint",
  bidCount: "int",
  revealCount: "int",
  provider: "string?",
  clearingPrice: "bigint?",
  clearingPriceUsd: "bigint?",
  value: "bigint?",
  valueUsd: "bigint?",
  collateral: "bigint?",
  awardedAt: "bigint?",
  startDeadline: "bigint?",
  startedAt: "bigint?",
  endsAt: "bigint?",
  deliveredAt: "bigint?",
  resultHash: "string?",
  resultUri: "string?",
  challengeDeadline: "bigint?",
  ranSeconds: "bigint?",
  closedAt: "bigint?",
  grossPaid: "bigint",
  feesPaid: "bigint",
  refunded: "bigint",
  payoutCount: "int",
  disputeBondToken: "string?",
  disputeBond: "bigint?",
  bondToProvider: "bigint?",
  bondRefund: "bigint?",
  slashedToRenter: "bigint?",
  slashedBurned: "bigint?",
} as const;
/** A job row of the indexer (see {@link INDEXED_JOB_FIELDS}). */
export type IndexedJob = Row<typeof INDEXED_JOB_FIELDS>;

/** The indexer's `bid` row; `status` is committed, revealed, won, released or forfeited. */
export const INDEXED_BID_FIELDS = {
  jobId: "bigint",
  provider: "string",
  commitment: "string",
  lockedGrl: "bigint",
  bidIndex: "int",
  committedAt: "bigint",
  price: "bigint?",
  priceUsd: "bigint?",
  revealedAt: "bigint?",
  revealIndex: "int?",
  wasBest: "boolean?",
  status: "string",
  bondForfeited: "bigint?",
  unlockedGrl: "bigint?",
  closedAt: "bigint?",
} as const;
/** A bid row of the indexer (see {@link INDEXED_BID_FIELDS}). */
export type IndexedBid = Row<typeof INDEXED_BID_FIELDS>;

/** The indexer's `dispute` row; `status` is open, provider_fault, renter_fault or timeout. */
export const INDEXED_DISPUTE_FIELDS = {
  jobId: "bigint",
  renter: "string",
  provider: "string",
  evidenceHash: "string",
  bondToken: "string",
  bond: "bigint",
  openedAt: "bigint",
  deadline: "bigint",
  status: "string",
  arbiter: "string?",
  resolvedAt: "bigint?",
  slashedToRenter: "bigint?",
  slashedBurned: "bigint?",
} as const;
/** A dispute row of the indexer (see {@link INDEXED_DISPUTE_FIELDS}). */
export type IndexedDispute = Row<typeof INDEXED_DISPUTE_FIELDS>;

/**
 * A state the indexer stores for a job: never `None`, nor `Revealing` (an auction in its reveal window is
 * `Bidding` with `bidDeadline` past; see jobStateAt for the state `stateOf` reports).
 */
export type IndexedJobState = Exclude<JobStateName, "None" | "Revealing">;

/** Filters of {@link recentJobs}; all given ones must hold. */
export interface RecentJobsOptions extends PageOptions {
  /** Only this renter's jobs. */
  readonly renter?: string;
  /** Only jobs this provider won (or leads, while bidding). */
  readonly provider?: string;
  /** Only jobs in this stored state, or in one of these. */
  readonly state?: IndexedJobState | readonly IndexedJobState[];
  /** Only jobs for this GPU model id (bytes32 hex, see gpuModelId). */
  readonly gpuModel?: string;
  /** Only jobs with this pricing rule. */
  readonly pricingRule?: PricingRuleName;
  /** Only jobs paid in this token (its address; the settlement's address for USD credits). */
  readonly paymentToken?: string;
  /** Only jobs awarded at or after this unix second (a price window: every such job has a clearing price). */
  readonly awardedSince?: bigint;
}

/** One job with its bids (in commit order) and its dispute (null if none). */
export interface JobDetail {
  /** The job row. */
  readonly job: IndexedJob;
  /** Its bids, first committed first (all of them: up to 256, the hard bound of maxBids, over two pages). */
  readonly bids: readonly IndexedBid[];
  /** Its dispute, or null. */
  readonly dispute: IndexedDispute | null;
}

/** Ponder stores hex in lower case; filters compare exactly. */
const hex = (value: string): string => value.toLowerCase();

const RECENT_JOBS = `query RecentJobs($where: jobFilter, $limit: Int, $after: String) {
  jobs(where: $where, orderBy: "id", orderDirection: "desc", limit: $limit, after: $after) { ${pageSelection(INDEXED_JOB_FIELDS)} }
}`;

/** The newest jobs first, filtered by renter, provider, state, GPU model, pricing rule, token and award time. */
export async function recentJobs(client: IndexerClient, options: RecentJobsOptions = {}): Promise<Page<IndexedJob>> {
  const where: Record<string, unknown> = {};
  if (options.renter !== undefined) where.renter = hex(options.renter);
  if (options.provider !== undefined) where.provider = hex(options.provider);
  if (options.gpuModel !== undefined) where.gpuModel = hex(options.gpuModel);
  if (typeof options.state === "string") where.state = options.state;
  else if (options.state !== undefined) where.state_in = [...options.state];
  if (options.pricingRule !== undefined) where.pricingRule = options.pricingRule;
  if (options.paymentToken !== undefined) where.paymentToken = hex(options.paymentToken);
  if (options.awardedSince !== undefined) where.awardedAt_gte = options.awardedSince.toString();
  const data = await client.graphql(RECENT_JOBS, {
    where,
    limit: pageLimit(options.limit, "recentJobs"),
    after: options.after ?? null,
  });
  return decodePage(INDEXED_JOB_FIELDS, data, "jobs", `${client.url}/graphql`);
}

const JOB_DETAIL = `query JobDetail($id: BigInt!, $limit: Int) {
  job(id: $id) { ${selection(INDEXED_JOB_FIELDS)} }
  bids(where: { jobId: $id }, orderBy: "bidIndex", orderDirection: "asc", limit: $limit) { ${pageSelection(INDEXED_BID_FIELDS)} }
  dispute(jobId: $id) { ${selection(INDEXED_DISPUTE_FIELDS)} }
}`;

const MORE_BIDS = `query JobBids($id: BigInt!, $limit: Int, $after: String) {
  bids(where: { jobId: $id }, orderBy: "bidIndex", orderDirection: "asc", limit: $limit, after: $after) { ${pageSelection(INDEXED_BID_FIELDS)} }
}`;

/** One job with its bids and dispute, or null when the indexer has no job with this id (yet). */
export async function jobDetail(client: IndexerClient, jobId: bigint): Promise<JobDetail | null> {
  const endpoint = `${client.url}/graphql`;
  const id = jobId.toString();
  const data = await client.graphql(JOB_DETAIL, { id, limit: MAX_INDEXER_PAGE_SIZE });
  if (data.job === null || data.job === undefined) return null;
  let page = decodePage(INDEXED_BID_FIELDS, data, "bids", endpoint);
  const bids = [...page.items];
  while (page.hasNextPage) {
    const more = await client.graphql(MORE_BIDS, { id, limit: MAX_INDEXER_PAGE_SIZE, after: page.endCursor });
    page = decodePage(INDEXED_BID_FIELDS, more, "bids", endpoint);
    bids.push(...page.items);
  }
  return {
    job: decodeRow(INDEXED_JOB_FIELDS, data.job, endpoint, "job"),
    bids,
    dispute: data.dispute === null ? null : decodeRow(INDEXED_DISPUTE_FIELDS, data.dispute, endpoint, "dispute"),
  };
}
