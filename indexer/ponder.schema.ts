// The indexer's tables. Amounts are bigint in token units (GRL wei, stablecoin units, credit wei); "Usd"
// columns are dollars with 18 decimals (stablecoins scaled by their decimals at $1, credits as they are).
// Prices are per GPU-hour. Times are unix seconds of block timestamps (chain time).
//
// Metric tables share one key shape: (subject..., period, periodStart), where period is "hour" (periodStart
// a multiple of 3600), "day" (a multiple of 86400, UTC) or "all" (periodStart 0, the cumulative row).
// Per-subject metric tables also have an index on (period, periodStart, subject), for the dashboards'
// "every subject, latest periods first" pages (Ponder orders them by periodStart, then the key); Ponder
// builds indexes after the backfill.
import {
  doublePrecision,
  hex,
  index,
  numeric,
  onchainEnum,
  onchainTable,
  onchainView,
  primaryKey,
  sql,
  text,
} from "ponder";
import { bigint, integer } from "ponder";

export const period = onchainEnum("period", ["hour", "day", "all"]);

// ------------------------------------------------------------------------------------------------
// Internal state
// ------------------------------------------------------------------------------------------------

/** One row (id 0): the last indexed block and the network's utilization accrual state. */
export const indexerClock = onchainTable("indexer_clock", (t) => ({
  id: t.integer().primaryKey(),
  /** Start of the hour the last indexed block fell in; every subject is accrued up to it. */
  hourStart: t.bigint().notNull(),
  blockNumber: t.bigint().notNull(),
  blockTimestamp: t.bigint().notNull(),
  /** Network-wide GPUs available (online, or leased while offline) and leased now. */
  availableGpus: t.bigint().notNull(),
  leasedGpus: t.bigint().notNull(),
  accruedUntil: t.bigint().notNull(),
  /** Every provider and GPU model seen, for closing hours that had no events of theirs. */
  providers: t.hex().array().notNull(),
  models: t.hex().array().notNull(),
}));

// ------------------------------------------------------------------------------------------------
// Entities
// ------------------------------------------------------------------------------------------------

export const paymentToken = onchainTable("payment_token", (t) => ({
  address: t.hex().primaryKey(),
  allowed: t.boolean().notNull(),
  decimals: t.integer().notNull(),
  /** The settlement contract's USD credits (the burn-mint path). */
  isCredits: t.boolean().notNull(),
  updatedAt: t.bigint().notNull(),
}));

export const provider = onchainTable("provider", (t) => ({
  address: t.hex().primaryKey(),
  registeredAt: t.bigint().notNull(),
  registeredBlock: t.bigint().notNull(),
  metadataUri: t.text().notNull(),
  region: t.integer().notNull(),
  reputation: t.integer().notNull(),
  online: t.boolean().notNull(),
  listedGpus: t.integer().notNull().default(0),
  /** Models of every inventory line the provider ever set (lines removed since included). */
  models: t.hex().array().notNull(),
  /** The same models as text ("H100"), in the same order. */
  modelNames: t.text().array().notNull(),
  availableGpus: t.bigint().notNull().default(0n),
  leasedGpus: t.bigint().notNull().default(0n),
  accruedUntil: t.bigint().notNull(),
  freeStake: t.bigint().notNull().default(0n),
  lockedStake: t.bigint().notNull().default(0n),
  unbondingStake: t.bigint().notNull().default(0n),
  unbondingUnlocksAt: t.bigint().notNull().default(0n),
  totalStaked: t.bigint().notNull().default(0n),
  totalWithdrawn: t.bigint().notNull().default(0n),
  totalSlashed: t.bigint().notNull().default(0n),
  slashCount: t.integer().notNull().default(0),
  bidsCommitted: t.integer().notNull().default(0),
  bidsRevealed: t.integer().notNull().default(0),
  bondsForfeited: t.integer().notNull().default(0),
  jobsWon: t.integer().notNull().default(0),
  jobsStarted: t.integer().notNull().default(0),
  jobsDelivered: t.integer().notNull().default(0),
  jobsSettled: t.integer().notNull().default(0),
  jobsFailed: t.integer().notNull().default(0),
  jobsStopped: t.integer().notNull().default(0),
  jobsDisputed: t.integer().notNull().default(0),
  disputesLost: t.integer().notNull().default(0),
  disputesWon: t.integer().notNull().default(0),
  disputeTimeouts: t.integer().notNull().default(0),
  grossEarnedUsd: t.bigint().notNull().default(0n),
  feesPaidUsd: t.bigint().notNull().default(0n),
  /** settled / (settled + failed + disputes lost); null before any such outcome. */
  successRate: t.doublePrecision(),
  /** disputed / delivered; null before any delivery. */
  disputeRate: t.doublePrecision(),
  lastActiveAt: t.bigint().notNull(),
}));

export const gpuModel = onchainTable("gpu_model", (t) => ({
  id: t.hex().primaryKey(),
  /** The bytes32 id as text ("H100"). */
  name: t.text().notNull(),
  listedGpus: t.bigint().notNull().default(0n),
  lines: t.integer().notNull().default(0),
  availableGpus: t.bigint().notNull().default(0n),
  leasedGpus: t.bigint().notNull().default(0n),
  accruedUntil: t.bigint().notNull(),
}));

export const gpuLine = onchainTable(
  "gpu_line",
  (t) => ({
    provider: t.hex().notNull(),
    model: t.hex().notNull(),
    /** The model as text ("H100"). */
    modelName: t.text().notNull(),
    count: t.integer().notNull(),
    leased: t.integer().notNull().default(0),
    vramGb: t.integer().notNull(),
    tflopsX100: t.integer().notNull(),
    /** False once the line was removed. */
    listed: t.boolean().notNull(),
    createdAt: t.bigint().notNull(),
    updatedAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.provider, table.model] }) }),
);

export const job = onchainTable("job", (t) => ({
  id: t.bigint().primaryKey(),
  renter: t.hex().notNull(),
  paymentToken: t.hex().notNull(),
  isCredits: t.boolean().notNull(),
  /** A credit job's mint floor (USD per GRL in units of 1e-9, from CreditFloorSet); null for stablecoin jobs. */
  creditFloor: t.bigint(),
  gpuModel: t.hex().notNull(),
  /** The GPU model as text ("H100"). */
  gpuModelName: t.text().notNull(),
  gpuCount: t.integer().notNull(),
  minVramGb: t.integer().notNull(),
  region: t.integer().notNull(),
  minReputation: t.integer().notNull(),
  duration: t.bigint().notNull(),
  reservePricePerGpuHour: t.bigint().notNull(),
  reservePriceUsd: t.bigint().notNull(),
  /** "FirstPrice", "SecondPrice" or "Instant". */
  pricingRule: t.text().notNull(),
  /** The workload's spec hash (JobRequest.specHash), from JobCreated; JobDelivered repeats it. */
  specHash: t.hex().notNull(),
  bidDeadline: t.bigint().notNull(),
  revealDeadline: t.bigint().notNull(),
  budget: t.bigint().notNull(),
  paramsId: t.integer().notNull(),
  /** Bidding, Awarded, Running, Delivered, Disputed, Settled, Expired, Cancelled, Failed or Resolved. */
  state: t.text().notNull(),
  /** How the job ended: settled, expired, cancelled, stopped, failed_no_show, failed_late, resolved_for_renter. */
  outcome: t.text(),
  createdAt: t.bigint().notNull(),
  createdBlock: t.bigint().notNull(),
  bidCount: t.integer().notNull().default(0),
  revealCount: t.integer().notNull().default(0),
  provider: t.hex(),
  clearingPrice: t.bigint(),
  clearingPriceUsd: t.bigint(),
  value: t.bigint(),
  valueUsd: t.bigint(),
  collateral: t.bigint(),
  awardedAt: t.bigint(),
  startDeadline: t.bigint(),
  startedAt: t.bigint(),
  endsAt: t.bigint(),
  deliveredAt: t.bigint(),
  resultHash: t.hex(),
  resultUri: t.text(),
  challengeDeadline: t.bigint(),
  /** Seconds the job ran: to the stop (JobStopped), or to the delivery, at most the duration (settled jobs). */
  ranSeconds: t.bigint(),
  closedAt: t.bigint(),
  /**
   * Gross pay released to the provider (fees included), fees, and refunds to the renter, in the job's token
   * (refunds include a stablecoin job's returned dispute bond; a credit job's bond is GRL, see disputeBondToken).
   */
  grossPaid: t.bigint().notNull().default(0n),
  feesPaid: t.bigint().notNull().default(0n),
  refunded: t.bigint().notNull().default(0n),
  payoutCount: t.integer().notNull().default(0),
  /** The dispute bond and its token (the job's stablecoin, or GRL for a credit job); bondToProvider and bondRefund are in it. */
  disputeBondToken: t.hex(),
  disputeBond: t.bigint(),
  bondToProvider: t.bigint(),
  bondRefund: t.bigint(),
  slashedToRenter: t.bigint(),
  slashedBurned: t.bigint(),
}));

export const bid = onchainTable(
  "bid",
  (t) => ({
    jobId: t.bigint().notNull(),
    provider: t.hex().notNull(),
    commitment: t.hex().notNull(),
    lockedGrl: t.bigint().notNull(),
    /** The job's bid count after this commit (1 for the first bid). */
    bidIndex: t.integer().notNull(),
    committedAt: t.bigint().notNull(),
    price: t.bigint(),
    priceUsd: t.bigint(),
    revealedAt: t.bigint(),
    revealIndex: t.integer(),
    /** Whether the bid was the lowest when revealed. */
    wasBest: t.boolean(),
    /** committed, revealed, won, released or forfeited. */
    status: t.text().notNull(),
    bondForfeited: t.bigint(),
    unlockedGrl: t.bigint(),
    closedAt: t.bigint(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.provider] }) }),
);

/** Every release of pay to a provider; `seq` counts the job's payouts from 1. */
export const payout = onchainTable(
  "payout",
  (t) => ({
    jobId: t.bigint().notNull(),
    seq: t.integer().notNull(),
    /** claim, stop, settle or ruling (DisputeResolvedForRenter). */
    kind: t.text().notNull(),
    provider: t.hex().notNull(),
    renter: t.hex().notNull(),
    token: t.hex().notNull(),
    gross: t.bigint().notNull(),
    fee: t.bigint().notNull(),
    net: t.bigint().notNull(),
    grossUsd: t.bigint().notNull(),
    feeUsd: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
    blockNumber: t.bigint().notNull(),
    transactionHash: t.hex().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.jobId, table.seq] }) }),
);

export const dispute = onchainTable("dispute", (t) => ({
  jobId: t.bigint().primaryKey(),
  renter: t.hex().notNull(),
  provider: t.hex().notNull(),
  evidenceHash: t.hex().notNull(),
  /** The token the bond was posted in: the job's stablecoin, or GRL for a credit job. */
  bondToken: t.hex().notNull(),
  bond: t.bigint().notNull(),
  openedAt: t.bigint().notNull(),
  deadline: t.bigint().notNull(),
  /** open, provider_fault, renter_fault or timeout. */
  status: t.text().notNull(),
  arbiter: t.hex(),
  resolvedAt: t.bigint(),
  slashedToRenter: t.bigint(),
  slashedBurned: t.bigint(),
}));

/** GraphQL: slashEvent / slashEvents (Ponder names the fields after the export, plural + "s"). */
export const slashEvent = onchainTable(
  "slash",
  (t) => ({
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    provider: t.hex().notNull(),
    jobId: t.bigint().notNull(),
    recipient: t.hex().notNull(),
    toRecipient: t.bigint().notNull(),
    burned: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.blockNumber, table.logIndex] }) }),
);

export const creditPurchase = onchainTable(
  "credit_purchase",
  (t) => ({
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    buyer: t.hex().notNull(),
    account: t.hex().notNull(),
    grlBurned: t.bigint().notNull(),
    usdValue: t.bigint().notNull(),
    credits: t.bigint().notNull(),
    grlUsdPrice: t.bigint().notNull(),
    spreadBps: t.integer().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.blockNumber, table.logIndex] }) }),
);

export const mint = onchainTable(
  "mint",
  (t) => ({
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    minter: t.hex().notNull(),
    to: t.hex().notNull(),
    amount: t.bigint().notNull(),
    totalMinted: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.blockNumber, table.logIndex] }) }),
);

export const burn = onchainTable(
  "burn",
  (t) => ({
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    from: t.hex().notNull(),
    amount: t.bigint().notNull(),
    totalBurned: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.blockNumber, table.logIndex] }) }),
);

/**
 * A provider's claimed emission of an epoch: `amount` GRL minted, its pro-rata `share` of the budget
 * capped at the GRL worth of the protocol fees its jobs paid in the epoch (`feesUsd`, USD with 18
 * decimals) at the claim's price (`grlUsdPrice`, USD per GRL with 18 decimals); share - amount was
 * never minted.
 */
export const emission = onchainTable(
  "emission",
  (t) => ({
    epoch: t.bigint().notNull(),
    provider: t.hex().notNull(),
    amount: t.bigint().notNull(),
    gpuSeconds: t.bigint().notNull(),
    share: t.bigint().notNull(),
    feesUsd: t.bigint().notNull(),
    grlUsdPrice: t.bigint().notNull(),
    claimedAt: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.epoch, table.provider] }) }),
);

/**
 * An epoch's emission book: the budget fixed by its first record, the GPU-seconds and protocol fees
 * (USD, 18 decimals) recorded, the GRL claimed and the claimers' pro-rata shares (shares - claimed is
 * what the fee caps held back).
 */
export const emissionEpoch = onchainTable("emission_epoch", (t) => ({
  epoch: t.bigint().primaryKey(),
  budget: t.bigint().notNull(),
  gpuSeconds: t.bigint().notNull(),
  feesUsd: t.bigint().notNull().default(0n),
  claimed: t.bigint().notNull().default(0n),
  shares: t.bigint().notNull().default(0n),
  providers: t.integer().notNull().default(0),
  firstRecordAt: t.bigint().notNull(),
}));

/**
 * A provider's emission record for an epoch, from the market's records: the GPU-seconds its delivered
 * jobs ran and the protocol fees they paid (USD, 18 decimals), which cap its emission at their GRL
 * worth at the claim's price; `claimedAt` once claimed (the claim is in `emission`).
 */
export const emissionProvider = onchainTable(
  "emission_provider",
  (t) => ({
    epoch: t.bigint().notNull(),
    provider: t.hex().notNull(),
    gpuSeconds: t.bigint().notNull(),
    feesUsd: t.bigint().notNull(),
    records: t.integer().notNull(),
    claimedAt: t.bigint(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.epoch, table.provider] }) }),
);

export const earningsWithdrawal = onchainTable(
  "earnings_withdrawal",
  (t) => ({
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    account: t.hex().notNull(),
    recipient: t.hex().notNull(),
    usdAmount: t.bigint().notNull(),
    grlAmount: t.bigint().notNull(),
    grlUsdPrice: t.bigint().notNull(),
    mintedNow: t.bigint().notNull(),
    ticketId: t.bigint().notNull(),
    queued: t.bigint().notNull(),
    epoch: t.bigint().notNull(),
    /** The account's GRL cap spent by the withdrawal (grlAmount = min(USD at the price, cap)). */
    grlCap: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.blockNumber, table.logIndex] }) }),
);

/** A governance parameter change on any of the contracts (values as decimal or hex text). */
export const parameterChange = onchainTable(
  "parameter_change",
  (t) => ({
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    contract: t.text().notNull(),
    name: t.text().notNull(),
    previous: t.text(),
    current: t.text().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.blockNumber, table.logIndex] }) }),
);

/** The market's governance parameter sets; each job uses the one current at its creation. */
/** GraphQL: marketParameterSet / marketParameterSets. */
export const marketParameterSet = onchainTable("market_params", (t) => ({
  id: t.integer().primaryKey(),
  feeBps: t.integer().notNull(),
  collateralBps: t.integer().notNull(),
  holdbackBps: t.integer().notNull(),
  slashToRenterBps: t.integer().notNull(),
  faultSlashBps: t.integer().notNull(),
  disputeBondBps: t.integer().notNull(),
  maxBids: t.integer().notNull(),
  bidBond: t.bigint().notNull(),
  bidBondBps: t.integer().notNull(),
  startWindow: t.bigint().notNull(),
  challengeWindow: t.bigint().notNull(),
  disputeTimeout: t.bigint().notNull(),
  deliveryGrace: t.bigint().notNull(),
  setAt: t.bigint().notNull(),
}));

/** A withdrawal from the market's per-token ledger (stablecoin pay, refunds, fees). */
export const withdrawal = onchainTable(
  "withdrawal",
  (t) => ({
    blockNumber: t.bigint().notNull(),
    logIndex: t.integer().notNull(),
    token: t.hex().notNull(),
    account: t.hex().notNull(),
    to: t.hex().notNull(),
    amount: t.bigint().notNull(),
    timestamp: t.bigint().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.blockNumber, table.logIndex] }) }),
);

/** A withdrawal's GRL beyond the epoch's mint cap, waiting in the FIFO mint queue. */
export const mintTicket = onchainTable("mint_ticket", (t) => ({
  id: t.bigint().primaryKey(),
  account: t.hex().notNull(),
  recipient: t.hex().notNull(),
  amount: t.bigint().notNull(),
  claimed: t.bigint().notNull().default(0n),
  createdAt: t.bigint().notNull(),
  lastClaimAt: t.bigint(),
}));

export const renter = onchainTable("renter", (t) => ({
  address: t.hex().primaryKey(),
  firstJobAt: t.bigint().notNull(),
  lastJobAt: t.bigint().notNull(),
  jobsCreated: t.integer().notNull().default(0),
  jobsAwarded: t.integer().notNull().default(0),
  jobsSettled: t.integer().notNull().default(0),
  paidUsd: t.bigint().notNull().default(0n),
}));

/** Which renters created jobs in a period, for unique / new / repeat renter counts. */
export const renterPeriod = onchainTable(
  "renter_period",
  (t) => ({
    renter: t.hex().notNull(),
    period: period("period").notNull(),
    periodStart: t.bigint().notNull(),
    jobs: t.integer().notNull(),
    /** Counted among the period's repeat renters (its job count reached 2 by then). */
    repeat: t.boolean().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.renter, table.period, table.periodStart] }) }),
);

// ------------------------------------------------------------------------------------------------
// Metrics
// ------------------------------------------------------------------------------------------------

/** Network-wide figures per hour, per day and cumulative ("all"). */
export const networkMetric = onchainTable(
  "network_metric",
  (t) => ({
    period: period("period").notNull(),
    periodStart: t.bigint().notNull(),
    // Revenue, USD (18 decimals): gross pay released to providers, provider net, protocol fees.
    grossUsd: t.bigint().notNull().default(0n),
    providerPayoutsUsd: t.bigint().notNull().default(0n),
    feesUsd: t.bigint().notNull().default(0n),
    payouts: t.integer().notNull().default(0),
    // Utilization: GPU-seconds leased and available (listed GPUs of online providers, plus leased ones
    // of offline providers still serving running jobs).
    leasedGpuSeconds: t.bigint().notNull().default(0n),
    availableGpuSeconds: t.bigint().notNull().default(0n),
    utilization: t.doublePrecision(),
    // GRL supply.
    grlIssued: t.bigint().notNull().default(0n),
    grlMinted: t.bigint().notNull().default(0n),
    grlBurned: t.bigint().notNull().default(0n),
    netEmission: t.bigint().notNull().default(0n),
    grlBurnedForCredits: t.bigint().notNull().default(0n),
    grlBurnedBySlashing: t.bigint().notNull().default(0n),
    grlMintedForEarnings: t.bigint().notNull().default(0n),
    emissionsPaid: t.bigint().notNull().default(0n),
    creditsBought: t.bigint().notNull().default(0n),
    creditsSpent: t.bigint().notNull().default(0n),
    creditsRefunded: t.bigint().notNull().default(0n),
    earningsAccruedUsd: t.bigint().notNull().default(0n),
    earningsWithdrawnUsd: t.bigint().notNull().default(0n),
    // Levels at the end of the period (the latest indexed block for the current one).
    totalSupply: t.bigint().notNull().default(0n),
    creditsOutstanding: t.bigint().notNull().default(0n),
    creditsEscrowed: t.bigint().notNull().default(0n),
    stakedTotal: t.bigint().notNull().default(0n),
    totalProviders: t.integer().notNull().default(0),
    totalRenters: t.integer().notNull().default(0),
    // Auctions (sealed-bid jobs closed in the period; instant awards counted apart).
    auctionsClosed: t.integer().notNull().default(0),
    auctionsAwarded: t.integer().notNull().default(0),
    auctionsExpired: t.integer().notNull().default(0),
    instantAwards: t.integer().notNull().default(0),
    bidsCommitted: t.integer().notNull().default(0),
    bidsRevealed: t.integer().notNull().default(0),
    closedAuctionBids: t.integer().notNull().default(0),
    closedAuctionReveals: t.integer().notNull().default(0),
    bidsPerAuction: t.doublePrecision(),
    revealRate: t.doublePrecision(),
    auctionClearingUsd: t.bigint().notNull().default(0n),
    auctionReserveUsd: t.bigint().notNull().default(0n),
    clearingToReserve: t.doublePrecision(),
    awardSeconds: t.bigint().notNull().default(0n),
    avgTimeToAward: t.doublePrecision(),
    // Participants.
    newProviders: t.integer().notNull().default(0),
    activeProviders: t.integer().notNull().default(0),
    servingProviders: t.integer().notNull().default(0),
    stakeAdded: t.bigint().notNull().default(0n),
    stakeWithdrawn: t.bigint().notNull().default(0n),
    slashed: t.bigint().notNull().default(0n),
    slashes: t.integer().notNull().default(0),
    uniqueRenters: t.integer().notNull().default(0),
    newRenters: t.integer().notNull().default(0),
    repeatRenters: t.integer().notNull().default(0),
    repeatCustomerRate: t.doublePrecision(),
    becameRepeatRenters: t.integer().notNull().default(0),
    // Jobs.
    jobsCreated: t.integer().notNull().default(0),
    jobsAwarded: t.integer().notNull().default(0),
    jobsStarted: t.integer().notNull().default(0),
    jobsDelivered: t.integer().notNull().default(0),
    jobsCompleted: t.integer().notNull().default(0),
    jobsDisputed: t.integer().notNull().default(0),
    jobsFailed: t.integer().notNull().default(0),
    jobsStopped: t.integer().notNull().default(0),
    jobsCancelled: t.integer().notNull().default(0),
    jobsExpired: t.integer().notNull().default(0),
    disputesForRenter: t.integer().notNull().default(0),
    disputesForProvider: t.integer().notNull().default(0),
    disputeTimeouts: t.integer().notNull().default(0),
    awardedValueUsd: t.bigint().notNull().default(0n),
    awardedGpuSeconds: t.bigint().notNull().default(0n),
    avgJobSizeUsd: t.bigint(),
    avgJobGpuHours: t.doublePrecision(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.period, table.periodStart] }) }),
);

/** Revenue per payment token, in the token's units and in USD. */
export const tokenMetric = onchainTable(
  "token_metric",
  (t) => ({
    token: t.hex().notNull(),
    period: period("period").notNull(),
    periodStart: t.bigint().notNull(),
    gross: t.bigint().notNull().default(0n),
    providerPayouts: t.bigint().notNull().default(0n),
    fees: t.bigint().notNull().default(0n),
    grossUsd: t.bigint().notNull().default(0n),
    providerPayoutsUsd: t.bigint().notNull().default(0n),
    feesUsd: t.bigint().notNull().default(0n),
    payouts: t.integer().notNull().default(0),
    jobsCreated: t.integer().notNull().default(0),
    escrowed: t.bigint().notNull().default(0n),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.token, table.period, table.periodStart] }),
    byPeriod: index().on(table.period, table.periodStart, table.token),
  }),
);

/**
 * Per GPU model: utilization and the price index of clearing prices (JobAwarded) in USD per GPU-hour.
 * Median: the middle price, or the floor of the mean of the two middle ones. Volume weights are the
 * job's GPU-seconds. discountVsReserve = 1 - sum(clearing) / sum(reserve).
 */
export const modelMetric = onchainTable(
  "model_metric",
  (t) => ({
    model: t.hex().notNull(),
    /** The model as text ("H100"). */
    modelName: t.text().notNull(),
    period: period("period").notNull(),
    periodStart: t.bigint().notNull(),
    leasedGpuSeconds: t.bigint().notNull().default(0n),
    availableGpuSeconds: t.bigint().notNull().default(0n),
    utilization: t.doublePrecision(),
    jobsCreated: t.integer().notNull().default(0),
    awards: t.integer().notNull().default(0),
    awardedGpuSeconds: t.bigint().notNull().default(0n),
    minPrice: t.bigint(),
    maxPrice: t.bigint(),
    meanPrice: t.bigint(),
    medianPrice: t.bigint(),
    vwapPrice: t.bigint(),
    sumPrice: t.bigint().notNull().default(0n),
    sumPriceGpuSeconds: t.bigint().notNull().default(0n),
    sumReserve: t.bigint().notNull().default(0n),
    meanReserve: t.bigint(),
    discountVsReserve: t.doublePrecision(),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.model, table.period, table.periodStart] }),
    byPeriod: index().on(table.period, table.periodStart, table.model),
  }),
);

/** The clearing prices behind modelMetric's medians, sorted ascending. */
export const priceSample = onchainTable(
  "price_sample",
  (t) => ({
    model: t.hex().notNull(),
    period: period("period").notNull(),
    periodStart: t.bigint().notNull(),
    prices: t.bigint().array().notNull(),
  }),
  (table) => ({ pk: primaryKey({ columns: [table.model, table.period, table.periodStart] }) }),
);

export const providerMetric = onchainTable(
  "provider_metric",
  (t) => ({
    provider: t.hex().notNull(),
    period: period("period").notNull(),
    periodStart: t.bigint().notNull(),
    leasedGpuSeconds: t.bigint().notNull().default(0n),
    availableGpuSeconds: t.bigint().notNull().default(0n),
    utilization: t.doublePrecision(),
    grossUsd: t.bigint().notNull().default(0n),
    feesUsd: t.bigint().notNull().default(0n),
    jobsWon: t.integer().notNull().default(0),
    jobsSettled: t.integer().notNull().default(0),
    jobsFailed: t.integer().notNull().default(0),
    disputesLost: t.integer().notNull().default(0),
    slashed: t.bigint().notNull().default(0n),
  }),
  (table) => ({
    pk: primaryKey({ columns: [table.provider, table.period, table.periodStart] }),
    byPeriod: index().on(table.period, table.periodStart, table.provider),
  }),
);

// ------------------------------------------------------------------------------------------------
// Views
// ------------------------------------------------------------------------------------------------

/** Providers ranked by reputation (ties: more settled jobs first, then address). */
export const reputationLeaderboard = onchainView("reputation_leaderboard", {
  rank: bigint().notNull(),
  address: hex().notNull(),
  reputation: integer().notNull(),
  jobsSettled: integer().notNull(),
  jobsFailed: integer().notNull(),
  disputesLost: integer().notNull(),
  successRate: doublePrecision(),
  disputeRate: doublePrecision(),
  online: text().notNull(),
}).as(
  sql`select rank() over (order by ${provider.reputation} desc, ${provider.jobsSettled} desc, ${provider.address}) as rank,
    ${provider.address} as address, ${provider.reputation} as reputation, ${provider.jobsSettled} as jobs_settled,
    ${provider.jobsFailed} as jobs_failed, ${provider.disputesLost} as disputes_lost,
    ${provider.successRate} as success_rate, ${provider.disputeRate} as dispute_rate,
    case when ${provider.online} then 'online' else 'offline' end as online
    from ${provider}`,
);

// ------------------------------------------------------------------------------------------------
// Dollar views: the 18-decimal USD integers above as exact decimals (numeric, e.g. 12.5 for 12.5e18),
// beside the keys, for analysts. The tables' integer columns stay the reference figures.
// ------------------------------------------------------------------------------------------------

/** An 18-decimal integer column as exact dollars (multiplying by 1e-18 keeps every digit). */
const dollars = (column: unknown) => sql`trim_scale(${column}::numeric * 0.000000000000000001)`;

export const networkMetricUsd = onchainView("network_metric_usd", {
  period: text().notNull(),
  periodStart: bigint().notNull(),
  grossUsd: numeric().notNull(),
  providerPayoutsUsd: numeric().notNull(),
  feesUsd: numeric().notNull(),
  earningsAccruedUsd: numeric().notNull(),
  earningsWithdrawnUsd: numeric().notNull(),
  awardedValueUsd: numeric().notNull(),
  avgJobSizeUsd: numeric(),
  auctionClearingUsd: numeric().notNull(),
  auctionReserveUsd: numeric().notNull(),
}).as(
  sql`select ${networkMetric.period}::text as period, ${networkMetric.periodStart} as period_start,
    ${dollars(networkMetric.grossUsd)} as gross_usd, ${dollars(networkMetric.providerPayoutsUsd)} as provider_payouts_usd,
    ${dollars(networkMetric.feesUsd)} as fees_usd, ${dollars(networkMetric.earningsAccruedUsd)} as earnings_accrued_usd,
    ${dollars(networkMetric.earningsWithdrawnUsd)} as earnings_withdrawn_usd,
    ${dollars(networkMetric.awardedValueUsd)} as awarded_value_usd, ${dollars(networkMetric.avgJobSizeUsd)} as avg_job_size_usd,
    ${dollars(networkMetric.auctionClearingUsd)} as auction_clearing_usd,
    ${dollars(networkMetric.auctionReserveUsd)} as auction_reserve_usd
    from ${networkMetric}`,
);

/** Clearing prices per GPU model in dollars per GPU-hour. */
export const modelPriceUsd = onchainView("model_price_usd", {
  model: hex().notNull(),
  modelName: text().notNull(),
  period: text().notNull(),
  periodStart: bigint().notNull(),
  awards: integer().notNull(),
  minPrice: numeric(),
  maxPrice: numeric(),
  meanPrice: numeric(),
  medianPrice: numeric(),
  vwapPrice: numeric(),
  meanReserve: numeric(),
}).as(
  sql`select ${modelMetric.model} as model, ${modelMetric.modelName} as model_name, ${modelMetric.period}::text as period,
    ${modelMetric.periodStart} as period_start, ${modelMetric.awards} as awards,
    ${dollars(modelMetric.minPrice)} as min_price, ${dollars(modelMetric.maxPrice)} as max_price,
    ${dollars(modelMetric.meanPrice)} as mean_price, ${dollars(modelMetric.medianPrice)} as median_price,
    ${dollars(modelMetric.vwapPrice)} as vwap_price, ${dollars(modelMetric.meanReserve)} as mean_reserve
    from ${modelMetric}`,
);

export const providerMetricUsd = onchainView("provider_metric_usd", {
  provider: hex().notNull(),
  period: text().notNull(),
  periodStart: bigint().notNull(),
  grossUsd: numeric().notNull(),
  feesUsd: numeric().notNull(),
}).as(
  sql`select ${providerMetric.provider} as provider, ${providerMetric.period}::text as period,
    ${providerMetric.periodStart} as period_start, ${dollars(providerMetric.grossUsd)} as gross_usd,
    ${dollars(providerMetric.feesUsd)} as fees_usd
    from ${providerMetric}`,
);

/** Jobs with their model's name and their dollar figures (prices per GPU-hour, value of the award). */
export const jobUsd = onchainView("job_usd", {
  id: bigint().notNull(),
  gpuModelName: text().notNull(),
  gpuCount: integer().notNull(),
  state: text().notNull(),
  reservePriceUsd: numeric().notNull(),
  clearingPriceUsd: numeric(),
  valueUsd: numeric(),
  ranSeconds: bigint(),
}).as(
  sql`select ${job.id} as id, ${job.gpuModelName} as gpu_model_name, ${job.gpuCount} as gpu_count, ${job.state} as state,
    ${dollars(job.reservePriceUsd)} as reserve_price_usd, ${dollars(job.clearingPriceUsd)} as clearing_price_usd,
    ${dollars(job.valueUsd)} as value_usd, ${job.ranSeconds} as ran_seconds
    from ${job}`,
);
