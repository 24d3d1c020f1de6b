// Whether a sealed bid's reveal window may be missed. The agent reveals as soon as the window opens, but
// it only looks once per poll, and times are the next block's (an idle chain's latest block may be minutes
// old): a window shorter than a few polls, or closing within them, is at risk, and a missed reveal forfeits
// the bid bond.
import { formatDuration, formatTime } from "../../sdk/index.ts";
import type { LoadedJob } from "../lib/jobs.ts";

/**
 * The reveal is sent at once when its window opens; a window that closes within this margin of the next
 * block's time (or shorter than it) is at risk, and the agent says so.
 */
export function revealMarginSeconds(pollIntervalMs: number): bigint {
  return BigInt(Math.max(30, Math.ceil((3 * pollIntervalMs) / 1000)));
}

/** A reveal window at risk: the warning's fields and its text. */
export interface RevealRisk {
  data: Record<string, unknown>;
  text: string;
}

/** The warning for `loaded`'s reveal window when it is at risk with polls `pollIntervalMs` apart, else undefined. */
export function revealWindowRisk(loaded: LoadedJob, pollIntervalMs: number): RevealRisk | undefined {
  const { job: j, now } = loaded;
  const jobId = loaded.jobId;
  const margin = revealMarginSeconds(pollIntervalMs);
  const windowLength = j.revealDeadline - j.bidDeadline;
  const left = j.revealDeadline - (now > j.bidDeadline ? now : j.bidDeadline);
  if (windowLength >= margin && (now < j.bidDeadline || left >= margin)) return undefined;
  return {
    data: {
      level: "warning",
      jobId,
      revealFrom: Number(j.bidDeadline),
      revealUntil: Number(j.revealDeadline),
      now: Number(now),
      secondsLeft: Number(now >= j.bidDeadline ? j.revealDeadline - now : windowLength),
      marginSeconds: Number(margin),
    },
    text:
      `warning: job #${jobId}: the reveal window (until ${formatTime(j.revealDeadline, now)}) ` +
      `${now >= j.bidDeadline ? `has ${formatDuration(j.revealDeadline > now ? j.revealDeadline - now : 0n)} left` : `lasts ${formatDuration(windowLength)}`}, ` +
      `less than the ${formatDuration(margin)} safety margin: the reveal may miss it and forfeit the bid bond (poll more often, or reveal by hand: gridlease provider reveal ${jobId})`,
  };
}
