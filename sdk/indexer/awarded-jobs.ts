// Every job of a GPU model awarded since a time (the market page's price windows), over as many pages as
// it takes, up to a bound so one busy model cannot stall the page.
import { MAX_INDEXER_PAGE_SIZE, type IndexerClient } from "./client.ts";
import { recentJobs, type IndexedJob } from "./jobs.ts";

/** Pages read at most (1,000 jobs): beyond that the band is of the newest 1,000 awards, and says so. */
export const MAX_AWARD_PAGES = 5;

/** The jobs, newest first, and whether older ones were left out. */
export interface AwardedJobs {
  readonly jobs: readonly IndexedJob[];
  readonly truncated: boolean;
}

/** The model's jobs awarded at or after `since` (unix seconds). */
export async function awardedJobsSince(client: IndexerClient, gpuModel: string, since: bigint): Promise<AwardedJobs> {
  const jobs: IndexedJob[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_AWARD_PAGES; page++) {
    const result = await recentJobs(client, {
      gpuModel,
      awardedSince: since,
      limit: MAX_INDEXER_PAGE_SIZE,
      ...(after === undefined ? {} : { after }),
    });
    jobs.push(...result.items);
    if (!result.hasNextPage || result.endCursor === null) return { jobs, truncated: false };
    after = result.endCursor;
  }
  return { jobs, truncated: true };
}
