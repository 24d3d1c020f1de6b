// What the renter may do to one of its jobs now, and doing it: the windows come from the SDK's lifecycle
// rules (sdk/lifecycle.ts) over the chain's own record and clock, so a button is shown only while the
// contract would accept the call.
import { keccak256, toUtf8Bytes } from "ethers";

import { isOpenAt, nextActions, type JobAction, type LifecycleJob } from "../../../sdk/index.ts";

import { WalletError, type ConnectedWallet } from "./wallet.ts";

/** The renter's own moves the console offers, in the order they are shown. */
export const RENTER_ACTIONS = ["cancelJob", "stopJob", "settle", "dispute"] as const;
/** One of {@link RENTER_ACTIONS}. */
export type RenterAction = (typeof RENTER_ACTIONS)[number];

/** Button labels. */
export const RENTER_ACTION_LABELS: Readonly<Record<RenterAction, string>> = {
  cancelJob: "Cancel",
  stopJob: "Stop",
  settle: "Settle",
  dispute: "Dispute",
};

/** The renter's actions open on `job` at `now` (chain time), as the contract would allow them. */
export function openRenterActions(job: LifecycleJob, now: bigint): RenterAction[] {
  const open = nextActions(job, now).filter(
    (action) => (action.actor === "renter" || action.actor === "anyone") && isOpenAt(action, now),
  );
  const names = new Set<JobAction>(open.map((action) => action.action));
  return RENTER_ACTIONS.filter((action) => names.has(action));
}

/** The job's on-chain record and the chain's clock. */
export async function readJob(wallet: ConnectedWallet, jobId: bigint): Promise<{ job: LifecycleJob; now: bigint }> {
  const [job, block] = await Promise.all([wallet.protocol.market.jobOf(jobId), wallet.provider.getBlock("latest")]);
  return { job, now: BigInt(block?.timestamp ?? 0) };
}

/**
 * Sends `action` on job `jobId` and waits for it to be mined. A dispute bonds part of the job's value in its
 * stablecoin: the bond is approved first (the market has no dispute-with-permit), after a dry run so a
 * dispute the contract would refuse never costs an approval.
 */
export async function runRenterAction(
  wallet: ConnectedWallet,
  jobId: bigint,
  action: RenterAction,
  evidence = "",
): Promise<void> {
  const market = wallet.protocol.market;
  if (action === "dispute") {
    if (evidence.trim() === "") {
      throw new WalletError("Say what went wrong in the evidence box first: its hash goes on-chain with the dispute.");
    }
    const evidenceHash = keccak256(toUtf8Bytes(evidence.trim()));
    await market.dispute.staticCall(jobId, evidenceHash);
    const [bondToken, bond] = await market.disputeBondOf(jobId);
    if (bond > 0n && bondToken.toLowerCase() === (await wallet.usdc.contract.getAddress()).toLowerCase()) {
      const spender = await market.getAddress();
      if ((await wallet.usdc.contract.allowance(wallet.account, spender)) < bond) {
        await (await wallet.usdc.contract.approve(spender, bond)).wait();
      }
    }
    await (await market.dispute(jobId, evidenceHash)).wait();
    return;
  }
  const tx =
    action === "cancelJob"
      ? await market.cancelJob(jobId)
      : action === "stopJob"
        ? await market.stopJob(jobId)
        : await market.settle(jobId);
  await tx.wait();
}

/** What the market and the settlement owe an account, from the chain. */
export interface Earnings {
  /** Stablecoin on the market's ledger (pay, refunds), in its units. */
  readonly usdc: bigint;
  /** GRL on the market's ledger (credit jobs' dispute bonds). */
  readonly grl: bigint;
  /** USD earnings of credit jobs (18 decimals), withdrawn as GRL at the oracle price. */
  readonly usdEarnings: bigint;
}

/** The account's withdrawable balances. */
export async function readEarnings(wallet: ConnectedWallet): Promise<Earnings> {
  const { market, token, settlement } = wallet.protocol;
  const [usdc, grl, usdEarnings] = await Promise.all([
    market.balanceOf(await wallet.usdc.contract.getAddress(), wallet.account),
    market.balanceOf(await token.getAddress(), wallet.account),
    settlement.earningsOf(wallet.account),
  ]);
  return { usdc, grl, usdEarnings };
}

/** Withdraws every non-zero balance to the account, one transaction each; throws when there is nothing. */
export async function withdrawAll(wallet: ConnectedWallet, earnings: Earnings): Promise<number> {
  const { market, token, settlement } = wallet.protocol;
  const steps: (() => Promise<{ wait(): Promise<unknown> }>)[] = [];
  if (earnings.usdc > 0n) {
    const usdc = await wallet.usdc.contract.getAddress();
    steps.push(() => market.withdraw(usdc, wallet.account));
  }
  if (earnings.grl > 0n) {
    const grl = await token.getAddress();
    steps.push(() => market.withdraw(grl, wallet.account));
  }
  if (earnings.usdEarnings > 0n) steps.push(() => settlement.withdrawEarnings(wallet.account));
  if (steps.length === 0) throw new WalletError("There is nothing to withdraw yet. Nothing was sent.");
  for (const step of steps) await (await step()).wait();
  return steps.length;
}
