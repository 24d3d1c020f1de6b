// Posting a job from the CLI through the SDK's postJob (sdk/renter/post-job.ts): the CLI's own transaction
// sending (progress lines, decoded reverts, "nothing was sent" accounting) and its flag names in messages.
import { JobRequestError, postJob, type ErrorHints, type JobPostRequest, type PostedJob } from "../../../sdk/index.ts";
import { signerOf, type Context } from "../../lib/context.ts";
import type { Output } from "../../lib/output.ts";
import type { PaymentToken } from "../../lib/tokens.ts";
import { send, simulate } from "../../lib/tx.ts";
import { JOB_REQUEST_FLAGS, jobRequestRefusal } from "./job-request.ts";

/** Posts `request` as the CLI's signer; a refused request exits 2 with nothing sent. */
export async function postJobFromCli(
  ctx: Context,
  out: Output,
  request: JobPostRequest,
  token: PaymentToken,
  hints: ErrorHints,
): Promise<PostedJob> {
  try {
    return await postJob(signerOf(ctx), ctx.protocol.addresses, request, {
      labels: JOB_REQUEST_FLAGS,
      stablecoin: token.kind === "usdc" ? token.address : undefined,
      send: async (step, submit) => (await send(out, step, submit, hints)).receipt,
      simulate: (step, call) => simulate(step, () => call(), hints),
    });
  } catch (error) {
    if (error instanceof JobRequestError) throw jobRequestRefusal(error);
    throw error;
  }
}
