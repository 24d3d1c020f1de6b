// How the renter's workload commands report the SDK's failures: a refused request exits 2 (nothing sent), a
// node or a run that failed exits 1 with the job to look at.
import { JobRequestError, NodeDiscoveryError, NodeRequestError } from "../../../sdk/index.ts";
import { RunWorkloadError } from "../../../sdk/node.ts";
import { CliError } from "../../lib/errors.ts";
import { jobRequestRefusal } from "../renter/job-request.ts";

/** The CLI error for an error of the SDK's renter modules; anything else is returned as it is. */
export function workloadCliError(error: unknown): unknown {
  if (error instanceof JobRequestError) return jobRequestRefusal(error);
  if (error instanceof RunWorkloadError) {
    return new CliError(error.code, error.message, {
      details: error.jobId === undefined ? undefined : { jobId: error.jobId.toString() },
    });
  }
  if (error instanceof NodeRequestError) {
    return new CliError(`NODE_${error.code}`, `The provider's node refused: ${error.message} (HTTP ${error.status}).`, {
      details: { nodeCode: error.code, status: error.status, url: error.url },
    });
  }
  if (error instanceof NodeDiscoveryError) return new CliError("NODE_NOT_FOUND", error.message);
  return error;
}
