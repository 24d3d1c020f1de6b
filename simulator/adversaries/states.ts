// The market's job states and bid statuses as the adversaries read them from jobOf / bidOf
// (IJobMarket.JobState and BidStatus, from the SDK's enums).
import { BidStatus, JobState } from "../../sdk/index.ts";

export const JOB_BIDDING = BigInt(JobState.valueOf("Bidding"));
export const JOB_AWARDED = BigInt(JobState.valueOf("Awarded"));
export const BID_COMMITTED = BigInt(BidStatus.valueOf("Committed"));
export const BID_REVEALED = BigInt(BidStatus.valueOf("Revealed"));
