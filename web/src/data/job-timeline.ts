// A job's timeline for its page: what happened and when, from its indexer row, bids and dispute, in
// time order (ties keep the lifecycle's order: created, bids, reveals, award, start, delivery, dispute, end).
import type { JobDetail } from "../../../sdk/indexer/index.ts";

import { shortHex } from "./format.ts";

/** One step of a job's life. */
export interface TimelineEvent {
  /** Unix seconds (chain time). */
  readonly at: bigint;
  /** What happened, in a few words. */
  readonly label: string;
  /** Who or how much, when it helps. */
  readonly detail?: string;
}

const OUTCOME_LABELS: Readonly<Record<string, string>> = {
  settled: "Settled",
  expired: "Expired without an award",
  cancelled: "Cancelled by the renter",
  stopped: "Stopped by the renter",
  failed_no_show: "Failed: the provider did not start",
  failed_late: "Failed: delivered late",
  resolved_for_renter: "Dispute resolved for the renter",
};

/** The plain-language label of a job's outcome (the indexer's code when it is a new one). */
export function outcomeLabel(outcome: string): string {
  return OUTCOME_LABELS[outcome] ?? outcome;
}

/** The job's events in time order. */
export function jobTimeline(detail: JobDetail): TimelineEvent[] {
  const { job, bids, dispute } = detail;
  const events: TimelineEvent[] = [{ at: job.createdAt, label: "Created", detail: `by ${shortHex(job.renter)}` }];
  for (const bid of bids) events.push({ at: bid.committedAt, label: "Bid committed", detail: shortHex(bid.provider) });
  if (job.pricingRule !== "Instant") events.push({ at: job.bidDeadline, label: "Bidding closed" });
  for (const bid of bids) {
    if (bid.revealedAt !== null)
      events.push({ at: bid.revealedAt, label: "Bid revealed", detail: shortHex(bid.provider) });
  }
  if (job.pricingRule !== "Instant" && (job.awardedAt === null || job.awardedAt >= job.revealDeadline)) {
    events.push({ at: job.revealDeadline, label: "Reveal window closed" });
  }
  if (job.awardedAt !== null) {
    events.push({
      at: job.awardedAt,
      label: "Awarded",
      detail: job.provider === null ? undefined : `to ${shortHex(job.provider)}`,
    });
  }
  if (job.startedAt !== null) events.push({ at: job.startedAt, label: "Started" });
  if (job.deliveredAt !== null) events.push({ at: job.deliveredAt, label: "Delivered" });
  if (dispute !== null) {
    events.push({ at: dispute.openedAt, label: "Disputed", detail: `bond ${dispute.bond}` });
    if (dispute.resolvedAt !== null)
      events.push({ at: dispute.resolvedAt, label: `Dispute closed (${dispute.status.replaceAll("_", " ")})` });
  }
  if (job.closedAt !== null)
    events.push({ at: job.closedAt, label: job.outcome === null ? "Closed" : outcomeLabel(job.outcome) });
  // A stable sort: equal times keep the lifecycle order pushed above.
  return events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
