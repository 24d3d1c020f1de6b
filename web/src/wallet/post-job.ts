// Posting a job from the console through the SDK's shared postJob (sdk/renter/post-job.ts, as the CLI does):
// the budget escrowed in USDC with an EIP-2612 permit signed in the wallet (one transaction, no separate
// approval), after a balance check that sends nothing when the account is short.
import { postJob } from "../../../sdk/index.ts";
import type { CheckedJobRequest } from "../data/job-form.ts";

import type { ConnectedWallet } from "./wallet.ts";

/** Signs a permit for the budget and posts the job; resolves with its id once the transaction is mined. */
export async function postJobWithPermit(wallet: ConnectedWallet, request: CheckedJobRequest): Promise<bigint> {
  const posted = await postJob(
    wallet.signer,
    wallet.protocol.addresses,
    { ...request.post, permit: true },
    {
      stablecoin: wallet.usdc.address,
    },
  );
  return posted.jobId;
}
