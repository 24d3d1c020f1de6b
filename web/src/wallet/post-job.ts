// Posting a job from the console: the budget escrowed in USDC with an EIP-2612 permit signed in the wallet
// (one transaction, no separate approval), after a balance check that sends nothing when the account is short.
import { formatAmount, signPermit } from "../../../sdk/index.ts";
import type { CheckedJobRequest } from "../data/job-form.ts";

import { WalletError, type ConnectedWallet } from "./wallet.ts";

/** How long the permit signature stays valid: long enough for a slow wallet confirmation, short enough to go stale. */
const PERMIT_LIFETIME_SECONDS = 3_600n;

/** Signs a permit for the budget and posts the job; resolves with its id once the transaction is mined. */
export async function postJobWithPermit(wallet: ConnectedWallet, request: CheckedJobRequest): Promise<bigint> {
  const { protocol, usdc, account, provider } = wallet;
  const balance = await usdc.contract.balanceOf(account);
  if (balance < request.budget) {
    throw new WalletError(
      `The job's budget is ${formatAmount(request.budget, usdc.decimals)} ${usdc.symbol} and this account holds ` +
        `${formatAmount(balance, usdc.decimals)}: top it up (on a local chain: npx gridlease dev fund ${account}). Nothing was sent.`,
    );
  }
  const market = protocol.market;
  const head = await provider.getBlock("latest");
  const deadline = BigInt(head?.timestamp ?? Math.floor(Date.now() / 1000)) + PERMIT_LIFETIME_SECONDS;
  const permit = await signPermit(wallet.signer, usdc.contract, {
    owner: account,
    spender: await market.getAddress(),
    value: request.budget,
    deadline,
  });
  const jobRequest = {
    paymentToken: await usdc.contract.getAddress(),
    gpuModel: request.gpuModel,
    gpuCount: request.gpuCount,
    minVramGb: BigInt(request.spec.vramGb),
    region: 0n,
    minReputation: 0n,
    duration: request.duration,
    reservePricePerGpuHour: request.reservePricePerGpuHour,
    pricingRule: request.pricingRule,
    bidWindow: request.bidWindow,
    revealWindow: request.revealWindow,
    specHash: request.specHash,
  };
  const tx = await market.createJobWithPermit(jobRequest, deadline, permit.v, permit.r, permit.s);
  const receipt = await tx.wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = market.interface.parseLog(log);
    if (parsed?.name === "JobCreated") return parsed.args.jobId as bigint;
  }
  throw new WalletError(`Transaction ${tx.hash} was mined but carries no JobCreated event: open it in the Jobs page.`);
}
