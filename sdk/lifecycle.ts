// Job lifecycle helpers: from a job's on-chain record (JobMarket `jobOf(id)`), the state `stateOf` would
// report, the current step's deadline, and what each party may call next and in which window. Pure
// functions over the record and a clock; nothing here reads the chain.
//
// Every window mirrors the contract's own checks (contracts/market/JobMarket.sol, JobMarketDisputes.sol):
// times are half-open, a deadline is the first second at which its action reverts (`block.timestamp >=
// deadline`) and the first second at which the matching timeout action succeeds (`block.timestamp <
// deadline` reverts MarketTooEarly).

import { JobState, PricingRule, type JobStateName } from "./enums.ts";

/** Who may call a lifecycle function. */
export type JobActor =
  /** The job's renter (`job.renter`). */
  | "renter"
  /** The job's provider (`job.provider`): the best revealed bidder during the auction, the winner after award. */
  | "provider"
  /** Any provider qualified for the job (commit, instant accept), or one with a committed bid (reveal). */
  | "bidder"
  /** An account with the market's ARBITER_ROLE. */
  | "arbiter"
  /** Any account (keepers, either party). */
  | "anyone";

/** A JobMarket function that moves a job along; each name is the contract's function name. */
export type JobAction =
  | "commitBid"
  | "revealBid"
  | "acceptInstant"
  | "acceptInstantAndStart"
  | "award"
  | "awardAndStart"
  | "cancelJob"
  | "startJob"
  | "claim"
  | "deliver"
  | "stopJob"
  | "failJob"
  | "dispute"
  | "settle"
  | "resolveDispute"
  | "settleDisputeTimeout"
  | "closeBid";

/** Every {@link JobAction}, in lifecycle order (sdk/lifecycle.test.ts checks each is a JobMarket function). */
export const JOB_ACTIONS: readonly JobAction[] = Object.freeze([
  "commitBid",
  "revealBid",
  "acceptInstant",
  "acceptInstantAndStart",
  "award",
  "awardAndStart",
  "cancelJob",
  "startJob",
  "claim",
  "deliver",
  "stopJob",
  "failJob",
  "dispute",
  "settle",
  "resolveDispute",
  "settleDisputeTimeout",
  "closeBid",
]);

/**
 * The fields of a job record the lifecycle depends on. Both ethers' `jobOf` result (bigints) and viem's
 * (numbers for the small integers) fit; extra fields are ignored.
 */
export interface LifecycleJob {
  /** Stored state (IJobMarket.JobState value; never `Revealing`). */
  readonly state: bigint | number;
  /** IJobMarket.PricingRule value. */
  readonly pricingRule: bigint | number;
  /** The current step's deadline: start, delivery, challenge or dispute deadline (unix seconds). */
  readonly deadline: bigint | number;
  /** End of the bid (or instant acceptance) window. */
  readonly bidDeadline: bigint | number;
  /** End of the reveal window (equal to `bidDeadline` for an instant job). */
  readonly revealDeadline: bigint | number;
  /** Sealed bids committed. */
  readonly bidCount: bigint | number;
  /** The best revealed bidder during the auction, the winner after award; the zero address before. */
  readonly provider: string;
  /** When the provider started (0 before). */
  readonly startedAt: bigint | number;
  /** Seconds of compute. */
  readonly duration: bigint | number;
}

/** One call a party may make on the job, and its window in unix seconds. */
export interface NextAction {
  /** Who may call it. */
  readonly actor: JobActor;
  /** The JobMarket function. */
  readonly action: JobAction;
  /**
   * The first second at which the call can succeed (inclusive), or null when it has been open since the
   * job entered its current state (the record does not say when that was).
   */
  readonly opensAt: number | null;
  /**
   * The first second at which the call reverts (exclusive end), or null when no deadline ends it (only
   * another call moving the job on does).
   */
  readonly closesAt: number | null;
}

/** What {@link nextActions} cannot read from the job record. */
export interface NextActionOptions {
  /** Whether the market is paused (`paused()`): commitBid, acceptInstant and acceptInstantAndStart then revert. */
  readonly paused?: boolean;
  /** The job's parameter set's `maxBids` (`marketParams(job.paramsId)`): commitBid reverts once reached. */
  readonly maxBids?: number;
}

/** The name of a step's deadline, as the contract's events and docs/PROTOCOL.md call it. */
export type DeadlineName =
  | "bidDeadline"
  | "revealDeadline"
  | "startDeadline"
  | "deliveryDeadline"
  | "challengeDeadline"
  | "disputeDeadline";

/** Where a job stands at a given second. */
export interface JobPhase {
  /** The state `stateOf` reports at that second (`Revealing` for an auction past its bid deadline). */
  readonly state: JobStateName;
  /** Whether the job is over (see {@link isTerminal}). */
  readonly terminal: boolean;
  /** The deadline the current step runs to, or null for a terminal or unknown job. */
  readonly deadline: { readonly name: DeadlineName; readonly at: number } | null;
  /**
   * Whether that deadline has passed (now >= deadline), so the step's timeout action is open: award for an
   * auction or an instant offer, failJob for a start or delivery, settle or settleDisputeTimeout.
   */
  readonly overdue: boolean;
}

/** The deadlines a job record knows, in unix seconds; a step's deadline is present once the job reached it. */
export interface JobDeadlines {
  /** End of the bid (or instant acceptance) window. */
  readonly bidDeadline: number;
  /** End of the reveal window. */
  readonly revealDeadline: number;
  /** While Awarded: the provider must start before it. */
  readonly startDeadline?: number;
  /** From the start: when the paid duration ends (startedAt + duration). */
  readonly endsAt?: number;
  /** While Running: the provider must deliver before it (endsAt + deliveryGrace). */
  readonly deliveryDeadline?: number;
  /** While Delivered: the renter may dispute before it. */
  readonly challengeDeadline?: number;
  /** While Disputed: the arbiter may rule before it. */
  readonly disputeDeadline?: number;
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** The states a job never leaves. */
export const TERMINAL_STATES: readonly JobStateName[] = Object.freeze([
  "Settled",
  "Expired",
  "Cancelled",
  "Failed",
  "Resolved",
]);

/** The deadline the stored `deadline` field holds in each non-auction state. */
const STEP_DEADLINE: Readonly<Partial<Record<JobStateName, DeadlineName>>> = {
  Awarded: "startDeadline",
  Running: "deliveryDeadline",
  Delivered: "challengeDeadline",
  Disputed: "disputeDeadline",
};

/**
 * Whether a job in `state` is over: Settled, Expired, Cancelled, Failed or Resolved. Only closeBid (for
 * bids still locked) and withdrawals of credited balances remain.
 */
export function isTerminal(state: JobStateName | bigint | number): boolean {
  const name = typeof state === "string" ? state : JobState.nameOf(state);
  return name !== undefined && TERMINAL_STATES.includes(name);
}

/** A job record's stored state by name; throws for a value this SDK does not know (a newer contract). */
function storedState(job: LifecycleJob): JobStateName {
  const name = JobState.nameOf(job.state);
  if (name === undefined || name === "Revealing") {
    throw new RangeError(
      `job record has state ${job.state}, which the contract never stores: pass the record from jobOf(id), ` +
        `not stateOf(id), and update the SDK if the contract added a state`,
    );
  }
  return name;
}

const isInstant = (job: LifecycleJob): boolean => PricingRule.nameOf(job.pricingRule) === "Instant";
const seconds = (value: bigint | number): number => Number(value);
const hasProvider = (job: LifecycleJob): boolean => job.provider.toLowerCase() !== ZERO_ADDRESS;

/** The state `stateOf(id)` reports at `now`: the stored state, or `Revealing` for an auction past its bid deadline. */
export function jobStateAt(job: LifecycleJob, now: bigint | number): JobStateName {
  const state = storedState(job);
  if (state === "Bidding" && !isInstant(job) && seconds(now) >= seconds(job.bidDeadline)) return "Revealing";
  return state;
}

/** The deadlines the record holds: the windows of the auction, and the current step's deadline by name. */
export function jobDeadlines(job: LifecycleJob): JobDeadlines {
  const state = storedState(job);
  const step = STEP_DEADLINE[state];
  const startedAt = seconds(job.startedAt);
  return {
    bidDeadline: seconds(job.bidDeadline),
    revealDeadline: seconds(job.revealDeadline),
    ...(step === undefined ? {} : { [step]: seconds(job.deadline) }),
    ...(startedAt === 0 ? {} : { endsAt: startedAt + seconds(job.duration) }),
  };
}

/** Where the job stands at `now`: its reported state, the deadline of its current step and whether that passed. */
export function jobPhase(job: LifecycleJob, now: bigint | number): JobPhase {
  const state = jobStateAt(job, now);
  const deadline = phaseDeadline(job, state);
  return {
    state,
    terminal: isTerminal(state),
    deadline,
    overdue: deadline !== null && seconds(now) >= deadline.at,
  };
}

function phaseDeadline(job: LifecycleJob, state: JobStateName): JobPhase["deadline"] {
  // An instant job has no reveal window (revealDeadline == bidDeadline): award expires it at the bid deadline.
  if (state === "Bidding") return { name: "bidDeadline", at: seconds(job.bidDeadline) };
  if (state === "Revealing") return { name: "revealDeadline", at: seconds(job.revealDeadline) };
  const step = STEP_DEADLINE[state];
  return step === undefined ? null : { name: step, at: seconds(job.deadline) };
}

/**
 * What each party may call on the job from `now` on, in its current stored state: every action whose
 * window has not closed at `now`, including those that open later (a reveal while bids are still being
 * committed). An action open at `now` has `opensAt` null or at most `now` (see {@link isOpenAt}).
 *
 * Checks the record cannot answer are the caller's: eligibility (stake, reputation, GPUs) for commitBid and
 * the instant accepts, whether anything has accrued for claim, and which bids are still unclosed for
 * closeBid (listed while bids other than the winner's exist; `bidOf` tells each one's status).
 */
export function nextActions(job: LifecycleJob, now: bigint | number, options: NextActionOptions = {}): NextAction[] {
  const at = seconds(now);
  return actionsInState(job, at, options).filter((action) => action.closesAt === null || at < action.closesAt);
}

/** Whether `action` can be called at `now` (its window is open). */
export function isOpenAt(action: NextAction, now: bigint | number): boolean {
  const at = seconds(now);
  return (action.opensAt === null || at >= action.opensAt) && (action.closesAt === null || at < action.closesAt);
}

const act = (actor: JobActor, action: JobAction, opensAt: number | null, closesAt: number | null): NextAction => ({
  actor,
  action,
  opensAt,
  closesAt,
});

/** Every action of the job's stored state with its window, before filtering by the clock. */
function actionsInState(job: LifecycleJob, now: number, options: NextActionOptions): NextAction[] {
  const state = storedState(job);
  const deadline = seconds(job.deadline);
  switch (state) {
    case "None":
      return [];
    case "Bidding":
      return isInstant(job) ? instantOffer(job, options) : auction(job, now, options);
    case "Awarded":
      return [act("provider", "startJob", null, deadline), act("anyone", "failJob", deadline, null), ...closeBids(job)];
    case "Running":
      return [
        act("provider", "claim", null, deadline),
        act("provider", "deliver", null, deadline),
        act("renter", "stopJob", null, deadline),
        act("anyone", "failJob", deadline, null),
        ...closeBids(job),
      ];
    case "Delivered":
      return [
        act("renter", "dispute", null, deadline),
        // Once delivered, pay accrued up to the delivery stays claimable until the job settles.
        act("provider", "claim", null, null),
        // The renter may accept the result at once (waiving its challenge window); anyone may after it.
        act("renter", "settle", null, deadline),
        act("anyone", "settle", deadline, null),
        ...closeBids(job),
      ];
    case "Disputed":
      return [
        act("arbiter", "resolveDispute", null, deadline),
        act("provider", "claim", null, null),
        act("anyone", "settleDisputeTimeout", deadline, null),
        ...closeBids(job),
      ];
    case "Settled":
    case "Expired":
    case "Cancelled":
    case "Failed":
    case "Resolved":
      return closeBids(job);
    case "Revealing":
      throw new RangeError("unreachable: storedState never returns Revealing");
  }
}

/** A sealed-bid job still Bidding (reported Bidding, then Revealing). */
function auction(job: LifecycleJob, now: number, options: NextActionOptions): NextAction[] {
  const bidDeadline = seconds(job.bidDeadline);
  const revealDeadline = seconds(job.revealDeadline);
  const bidCount = seconds(job.bidCount);
  const actions: NextAction[] = [];
  const full = options.maxBids !== undefined && bidCount >= options.maxBids;
  if (!options.paused && !full) actions.push(act("bidder", "commitBid", null, bidDeadline));
  if (bidCount > 0) actions.push(act("bidder", "revealBid", bidDeadline, revealDeadline));
  // With sealed bids the renter may cancel only until the bid deadline (reveals bind it); without, until
  // award expires the job (a bid arriving before the bid deadline would close this at the bid deadline).
  actions.push(act("renter", "cancelJob", null, bidCount > 0 ? bidDeadline : null));
  actions.push(act("anyone", "award", revealDeadline, null));
  // Only the best revealed bidder passes awardAndStart: listed once someone holds that place, or while a
  // committed bid may still be revealed.
  if (hasProvider(job) || (bidCount > 0 && now < revealDeadline))
    actions.push(act("provider", "awardAndStart", revealDeadline, null));
  return actions;
}

/** An instant job still Bidding: open to the first eligible provider until the bid deadline. */
function instantOffer(job: LifecycleJob, options: NextActionOptions): NextAction[] {
  const bidDeadline = seconds(job.bidDeadline);
  const actions: NextAction[] = [];
  if (!options.paused) {
    actions.push(act("bidder", "acceptInstant", null, bidDeadline));
    actions.push(act("bidder", "acceptInstantAndStart", null, bidDeadline));
  }
  // An instant job never has bids, so its renter may cancel until award expires it.
  actions.push(act("renter", "cancelJob", null, null));
  // revealDeadline == bidDeadline for an instant job; award then expires it (nobody accepted).
  actions.push(act("anyone", "award", seconds(job.revealDeadline), null));
  return actions;
}

/** closeBid, when the job left Bidding with bids other than the winner's (whose bid closes at award). */
function closeBids(job: LifecycleJob): NextAction[] {
  const winnerBids = hasProvider(job) ? 1 : 0;
  return seconds(job.bidCount) > winnerBids ? [act("anyone", "closeBid", null, null)] : [];
}
