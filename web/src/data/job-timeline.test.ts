import { describe, expect, it } from "vitest";

import type { IndexedBid, IndexedDispute, IndexedJob, JobDetail } from "../../../sdk/index.ts";

import { jobTimeline, outcomeLabel } from "./job-timeline.ts";

const T = 1_767_225_600n;
const RENTER = "0x1111111111111111111111111111111111111111";
const PROVIDER = "0x2222222222222222222222222222222222222222";

const job = {
  renter: RENTER,
  pricingRule: "SecondPrice",
  createdAt: T,
  bidDeadline: T + 300n,
  revealDeadline: T + 600n,
  awardedAt: T + 600n,
  provider: PROVIDER,
  startedAt: T + 700n,
  deliveredAt: T + 4_300n,
  closedAt: T + 9_000n,
  outcome: "settled",
} as IndexedJob;

const bid = (committedAt: bigint, revealedAt: bigint | null): IndexedBid =>
  ({ provider: PROVIDER, committedAt, revealedAt }) as IndexedBid;

describe("jobTimeline", () => {
  it("orders a sealed-bid job's life, the award after the reveal window", () => {
    const detail: JobDetail = { job, bids: [bid(T + 10n, T + 400n)], dispute: null };
    expect(jobTimeline(detail).map((event) => [Number(event.at - T), event.label])).toEqual([
      [0, "Created"],
      [10, "Bid committed"],
      [300, "Bidding closed"],
      [400, "Bid revealed"],
      [600, "Reveal window closed"],
      [600, "Awarded"],
      [700, "Started"],
      [4300, "Delivered"],
      [9000, "Settled"],
    ]);
  });

  it("has no bidding steps for an instant job, and shows a dispute", () => {
    const dispute = {
      openedAt: T + 5_000n,
      resolvedAt: T + 8_000n,
      status: "provider_fault",
      bond: 5n,
    } as IndexedDispute;
    const detail: JobDetail = {
      job: { ...job, pricingRule: "Instant", awardedAt: T + 1n, outcome: "resolved_for_renter" },
      bids: [],
      dispute,
    };
    expect(jobTimeline(detail).map((event) => event.label)).toEqual([
      "Created",
      "Awarded",
      "Started",
      "Delivered",
      "Disputed",
      "Dispute closed (provider fault)",
      "Dispute resolved for the renter",
    ]);
    expect(outcomeLabel("something_new")).toBe("something_new");
  });
});
