import { describe, expect, it } from "vitest";

import { JobMarketAbi } from "./abis/index.ts";
import { JobState, PricingRule, type JobStateName, type PricingRuleName } from "./enums.ts";
import {
  isOpenAt,
  isTerminal,
  JOB_ACTIONS,
  jobDeadlines,
  jobPhase,
  jobStateAt,
  nextActions,
  TERMINAL_STATES,
  type LifecycleJob,
  type NextActionOptions,
} from "./lifecycle.ts";

const BID_DEADLINE = 1_000;
const REVEAL_DEADLINE = 1_600;
const DEADLINE = 5_000;
const PROVIDER = "0x00000000000000000000000000000000000000AA";
const NOBODY = "0x0000000000000000000000000000000000000000";

/** A job record as ethers' jobOf returns it (bigints), in `state`. */
function job(
  state: JobStateName,
  fields: Partial<Record<keyof LifecycleJob, bigint | number | string>> = {},
): LifecycleJob {
  const rule: PricingRuleName = "FirstPrice";
  return {
    state: BigInt(JobState.valueOf(state)),
    pricingRule: BigInt(PricingRule.valueOf(rule)),
    deadline: BigInt(DEADLINE),
    bidDeadline: BigInt(BID_DEADLINE),
    revealDeadline: BigInt(REVEAL_DEADLINE),
    bidCount: 0n,
    provider: NOBODY,
    startedAt: 0n,
    duration: 3_600n,
    ...fields,
  } as LifecycleJob;
}

const instant = (fields: Partial<Record<keyof LifecycleJob, bigint | number | string>> = {}): LifecycleJob =>
  job("Bidding", {
    pricingRule: BigInt(PricingRule.valueOf("Instant")),
    revealDeadline: BigInt(BID_DEADLINE),
    ...fields,
  });

/** "actor:action" of every action open at `now`, sorted. */
function openAt(record: LifecycleJob, now: number, options?: NextActionOptions): string[] {
  return nextActions(record, now, options)
    .filter((action) => isOpenAt(action, now))
    .map((action) => `${action.actor}:${action.action}`)
    .sort();
}

describe("JOB_ACTIONS", () => {
  it("names JobMarket functions exactly", () => {
    const functions = new Set(JobMarketAbi.filter((item) => item.type === "function").map((item) => item.name));
    for (const action of JOB_ACTIONS) expect(functions.has(action), action).toBe(true);
  });
});

describe("isTerminal", () => {
  it("holds for Settled, Expired, Cancelled, Failed and Resolved only, by name or value", () => {
    for (const state of JobState.names) {
      const expected = ["Settled", "Expired", "Cancelled", "Failed", "Resolved"].includes(state);
      expect(isTerminal(state), state).toBe(expected);
      expect(isTerminal(JobState.valueOf(state)), state).toBe(expected);
      expect(isTerminal(BigInt(JobState.valueOf(state))), state).toBe(expected);
    }
    expect(TERMINAL_STATES).toHaveLength(5);
    expect(isTerminal(99)).toBe(false);
  });
});

describe("jobStateAt", () => {
  it("reports Revealing for an auction from its bid deadline on, exactly as stateOf", () => {
    expect(jobStateAt(job("Bidding"), BID_DEADLINE - 1)).toBe("Bidding");
    expect(jobStateAt(job("Bidding"), BID_DEADLINE)).toBe("Revealing");
    expect(jobStateAt(job("Bidding"), REVEAL_DEADLINE + 10)).toBe("Revealing");
  });

  it("never reports Revealing for an instant job", () => {
    expect(jobStateAt(instant(), BID_DEADLINE)).toBe("Bidding");
  });

  it("reports every other stored state as stored", () => {
    for (const state of JobState.names.filter((name) => name !== "Bidding" && name !== "Revealing")) {
      expect(jobStateAt(job(state), 0), state).toBe(state);
    }
  });

  it("rejects a record whose state the contract never stores, saying what to pass", () => {
    expect(() => jobStateAt(job("Revealing"), 0)).toThrow(/jobOf\(id\), not stateOf\(id\)/);
    expect(() => jobStateAt({ ...job("Settled"), state: 42 }, 0)).toThrow(/never stores/);
  });

  it("takes viem's numbers as well as ethers' bigints", () => {
    const viem: LifecycleJob = { ...job("Bidding"), state: 1, pricingRule: 0, bidDeadline: BID_DEADLINE };
    expect(jobStateAt(viem, BID_DEADLINE)).toBe("Revealing");
  });
});

describe("jobPhase", () => {
  const cases: [JobStateName, LifecycleJob, number, string | null][] = [
    ["Revealing", job("Bidding"), BID_DEADLINE, "revealDeadline"],
    ["Awarded", job("Awarded"), 0, "startDeadline"],
    ["Running", job("Running"), 0, "deliveryDeadline"],
    ["Delivered", job("Delivered"), 0, "challengeDeadline"],
    ["Disputed", job("Disputed"), 0, "disputeDeadline"],
  ];
  for (const [state, record, now, name] of cases) {
    it(`${state}: the ${name}, overdue from that second on`, () => {
      const phase = jobPhase(record, now);
      expect(phase.state).toBe(state);
      expect(phase.terminal).toBe(false);
      expect(phase.deadline?.name).toBe(name);
      const at = phase.deadline!.at;
      expect(jobPhase(record, Math.max(now, at - 1)).overdue).toBe(false);
      expect(jobPhase(record, at).overdue).toBe(true);
    });
  }

  it("an auction's bid deadline moves it to Revealing (not overdue: reveals open)", () => {
    expect(jobPhase(job("Bidding"), BID_DEADLINE - 1)).toEqual({
      state: "Bidding",
      terminal: false,
      deadline: { name: "bidDeadline", at: BID_DEADLINE },
      overdue: false,
    });
    expect(jobPhase(job("Bidding"), BID_DEADLINE)).toEqual({
      state: "Revealing",
      terminal: false,
      deadline: { name: "revealDeadline", at: REVEAL_DEADLINE },
      overdue: false,
    });
  });

  it("an instant offer runs to its bid deadline, then is overdue (award expires it)", () => {
    expect(jobPhase(instant(), BID_DEADLINE - 1)).toEqual({
      state: "Bidding",
      terminal: false,
      deadline: { name: "bidDeadline", at: BID_DEADLINE },
      overdue: false,
    });
    expect(jobPhase(instant(), BID_DEADLINE).overdue).toBe(true);
  });

  it("a terminal or unknown job has no deadline", () => {
    for (const state of [...TERMINAL_STATES, "None" as const]) {
      expect(jobPhase(job(state), DEADLINE + 1), state).toEqual({
        state,
        terminal: state !== "None",
        deadline: null,
        overdue: false,
      });
    }
  });
});

describe("jobDeadlines", () => {
  it("names the stored deadline by step, and the end of the paid duration once started", () => {
    expect(jobDeadlines(job("Bidding"))).toEqual({ bidDeadline: BID_DEADLINE, revealDeadline: REVEAL_DEADLINE });
    expect(jobDeadlines(job("Awarded"))).toEqual({
      bidDeadline: BID_DEADLINE,
      revealDeadline: REVEAL_DEADLINE,
      startDeadline: DEADLINE,
    });
    expect(jobDeadlines(job("Running", { startedAt: 2_000n }))).toEqual({
      bidDeadline: BID_DEADLINE,
      revealDeadline: REVEAL_DEADLINE,
      deliveryDeadline: DEADLINE,
      endsAt: 5_600,
    });
    expect(jobDeadlines(job("Delivered", { startedAt: 2_000n })).challengeDeadline).toBe(DEADLINE);
    expect(jobDeadlines(job("Disputed", { startedAt: 2_000n })).disputeDeadline).toBe(DEADLINE);
    expect(jobDeadlines(job("Settled", { startedAt: 2_000n }))).toEqual({
      bidDeadline: BID_DEADLINE,
      revealDeadline: REVEAL_DEADLINE,
      endsAt: 5_600,
    });
  });
});

describe("nextActions: auction (FirstPrice / SecondPrice) while Bidding", () => {
  const noBids = job("Bidding");
  const sealed = job("Bidding", { bidCount: 2n });
  const revealed = job("Bidding", { bidCount: 2n, provider: PROVIDER });

  it("lists each action with its window, as the contract checks it", () => {
    expect(nextActions(revealed, 0)).toEqual([
      { actor: "bidder", action: "commitBid", opensAt: null, closesAt: BID_DEADLINE },
      { actor: "bidder", action: "revealBid", opensAt: BID_DEADLINE, closesAt: REVEAL_DEADLINE },
      { actor: "renter", action: "cancelJob", opensAt: null, closesAt: BID_DEADLINE },
      { actor: "anyone", action: "award", opensAt: REVEAL_DEADLINE, closesAt: null },
      { actor: "provider", action: "awardAndStart", opensAt: REVEAL_DEADLINE, closesAt: null },
    ]);
  });

  it("commits and cancels (with bids) until the second before the bid deadline, reveals from it", () => {
    expect(openAt(sealed, BID_DEADLINE - 1)).toEqual(["bidder:commitBid", "renter:cancelJob"]);
    expect(openAt(sealed, BID_DEADLINE)).toEqual(["bidder:revealBid"]);
    expect(openAt(sealed, REVEAL_DEADLINE - 1)).toEqual(["bidder:revealBid"]);
  });

  it("awards from the reveal deadline on, and the best bidder may awardAndStart", () => {
    expect(openAt(revealed, REVEAL_DEADLINE)).toEqual(["anyone:award", "provider:awardAndStart"]);
    expect(nextActions(revealed, REVEAL_DEADLINE + 86_400).map((a) => a.action)).toEqual(["award", "awardAndStart"]);
  });

  it("without a reveal, award (which expires the job) is all that is left after the reveal deadline", () => {
    expect(openAt(sealed, REVEAL_DEADLINE)).toEqual(["anyone:award"]);
  });

  it("without bids, the renter may cancel until award expires the job, and nobody reveals", () => {
    expect(openAt(noBids, 0)).toEqual(["bidder:commitBid", "renter:cancelJob"]);
    expect(openAt(noBids, BID_DEADLINE)).toEqual(["renter:cancelJob"]);
    expect(openAt(noBids, REVEAL_DEADLINE)).toEqual(["anyone:award", "renter:cancelJob"]);
  });

  it("lists an action that opens later (a reveal while bids are still committed)", () => {
    const reveal = nextActions(sealed, 0).find((action) => action.action === "revealBid")!;
    expect(isOpenAt(reveal, 0)).toBe(false);
    expect(isOpenAt(reveal, BID_DEADLINE)).toBe(true);
    expect(isOpenAt(reveal, REVEAL_DEADLINE)).toBe(false);
  });

  it("drops commitBid while paused or once maxBids is reached", () => {
    expect(openAt(sealed, 0, { paused: true })).toEqual(["renter:cancelJob"]);
    expect(openAt(sealed, 0, { maxBids: 2 })).toEqual(["renter:cancelJob"]);
    expect(openAt(sealed, 0, { maxBids: 3 })).toEqual(["bidder:commitBid", "renter:cancelJob"]);
  });

  it("applies to SecondPrice alike", () => {
    const vickrey = { ...sealed, pricingRule: PricingRule.valueOf("SecondPrice") };
    expect(openAt(vickrey, BID_DEADLINE)).toEqual(["bidder:revealBid"]);
  });
});

describe("nextActions: instant job while Bidding", () => {
  it("accepts until the second before the bid deadline; award (expiry) from it; cancel throughout", () => {
    expect(openAt(instant(), BID_DEADLINE - 1)).toEqual([
      "bidder:acceptInstant",
      "bidder:acceptInstantAndStart",
      "renter:cancelJob",
    ]);
    expect(openAt(instant(), BID_DEADLINE)).toEqual(["anyone:award", "renter:cancelJob"]);
  });

  it("stops accepting while paused (cancel and award keep working)", () => {
    expect(openAt(instant(), 0, { paused: true })).toEqual(["renter:cancelJob"]);
    expect(openAt(instant(), BID_DEADLINE, { paused: true })).toEqual(["anyone:award", "renter:cancelJob"]);
  });
});

describe("nextActions: after award", () => {
  const won = { provider: PROVIDER, bidCount: 1n };

  it("Awarded: the provider starts before the start deadline; anyone fails it from that second", () => {
    expect(openAt(job("Awarded", won), DEADLINE - 1)).toEqual(["provider:startJob"]);
    expect(openAt(job("Awarded", won), DEADLINE)).toEqual(["anyone:failJob"]);
  });

  it("Running: claim, deliver and stop before the delivery deadline; failJob from it", () => {
    const running = job("Running", { ...won, startedAt: 2_000n });
    expect(openAt(running, DEADLINE - 1)).toEqual(["provider:claim", "provider:deliver", "renter:stopJob"]);
    expect(openAt(running, DEADLINE)).toEqual(["anyone:failJob"]);
  });

  it("Delivered: the renter disputes or accepts (settles) before the challenge deadline; anyone settles from it; claim throughout", () => {
    const delivered = job("Delivered", won);
    expect(openAt(delivered, DEADLINE - 1)).toEqual(["provider:claim", "renter:dispute", "renter:settle"]);
    expect(openAt(delivered, DEADLINE)).toEqual(["anyone:settle", "provider:claim"]);
  });

  it("Disputed: the arbiter rules before the dispute deadline; settleDisputeTimeout from it; claim throughout", () => {
    const disputed = job("Disputed", won);
    expect(openAt(disputed, DEADLINE - 1)).toEqual(["arbiter:resolveDispute", "provider:claim"]);
    expect(openAt(disputed, DEADLINE)).toEqual(["anyone:settleDisputeTimeout", "provider:claim"]);
  });

  it("gives every window of a running job", () => {
    expect(nextActions(job("Running", won), 0)).toEqual([
      { actor: "provider", action: "claim", opensAt: null, closesAt: DEADLINE },
      { actor: "provider", action: "deliver", opensAt: null, closesAt: DEADLINE },
      { actor: "renter", action: "stopJob", opensAt: null, closesAt: DEADLINE },
      { actor: "anyone", action: "failJob", opensAt: DEADLINE, closesAt: null },
    ]);
  });
});

describe("nextActions: closeBid and terminal states", () => {
  it("offers closeBid once the job left Bidding with bids beside the winner's", () => {
    expect(openAt(job("Awarded", { provider: PROVIDER, bidCount: 3n }), 0)).toEqual([
      "anyone:closeBid",
      "provider:startJob",
    ]);
    expect(openAt(job("Settled", { provider: PROVIDER, bidCount: 1n }), 0)).toEqual([]);
    expect(openAt(job("Settled", { provider: PROVIDER, bidCount: 2n }), 0)).toEqual(["anyone:closeBid"]);
    // Expired without a winner, or cancelled during the bid window: every bid is closable.
    expect(openAt(job("Expired", { bidCount: 1n }), 0)).toEqual(["anyone:closeBid"]);
    expect(openAt(job("Cancelled", { bidCount: 2n }), 0)).toEqual(["anyone:closeBid"]);
  });

  it("leaves nothing to do on a terminal job without open bids, nor on an unknown id", () => {
    for (const state of [...TERMINAL_STATES, "None" as const]) {
      expect(nextActions(job(state, { provider: PROVIDER, bidCount: 1n }), DEADLINE), state).toEqual([]);
    }
  });
});
