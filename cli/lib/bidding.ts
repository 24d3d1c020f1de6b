// Sealed bids, shared by `gridlease provider bid/reveal` and the agent: checks that fail before any
// transaction is sent (wrong job state, price above the reserve), the salt saved before the commitment
// goes out, and the reveal from the saved record.
import { bidCommitment, BidStatus, formatTime, formatUsd, newSalt, storedCommitment } from "../../sdk/index.ts";
import { findBid, removeBid, saveBid, type SavedBid } from "./bids.ts";
import { signerOf, type Context } from "./context.ts";
import { CliError, EXIT_USAGE, invalidInput } from "./errors.ts";
import { isInstant, type LoadedJob } from "./jobs.ts";
import type { Output } from "./output.ts";
import { send, type SentTransaction } from "./tx.ts";

/** Rejects a price the market would refuse at reveal: zero, or above the job's reserve. */
export function checkBidPrice(loaded: LoadedJob, price: bigint): void {
  const { job, jobId, token } = loaded;
  if (price === 0n) throw invalidInput("The bid price must be above zero.");
  if (price > job.reservePricePerGpuHour) {
    throw new CliError(
      "PRICE_ABOVE_RESERVE",
      `A bid of ${formatUsd(price, token.decimals)} per GPU-hour is above job #${jobId}'s maximum price of ` +
        `${formatUsd(job.reservePricePerGpuHour, token.decimals)} per GPU-hour: bid at most the maximum. Nothing was sent.`,
      {
        exitCode: EXIT_USAGE,
        details: { price: price.toString(), reservePricePerGpuHour: job.reservePricePerGpuHour.toString() },
      },
    );
  }
}

export interface CommitResult {
  jobId: bigint;
  price: bigint;
  commitment: string;
  saltFile: string;
  transaction: SentTransaction;
}

/** Commits a sealed bid at `price` with a fresh salt, saved to `saltFile` before the transaction. */
export async function commitSealedBid(
  ctx: Context,
  out: Output,
  loaded: LoadedJob,
  price: bigint,
  saltFile: string,
): Promise<CommitResult> {
  const { job, jobId, state, token, now } = loaded;
  const provider = signerOf(ctx).address;
  if (isInstant(job)) {
    throw new CliError(
      "WRONG_PRICING_RULE",
      `Job #${jobId} is an instant job: accept it with \`gridlease provider accept ${jobId}\`.`,
      {
        exitCode: EXIT_USAGE,
      },
    );
  }
  if (state !== "Bidding") {
    const why =
      state === "Revealing" ? `its bid window closed at ${formatTime(job.bidDeadline, now)}` : `it is ${state}`;
    throw new CliError("WRONG_STATE", `Job #${jobId} takes no more bids: ${why}.`, { exitCode: EXIT_USAGE });
  }
  checkBidPrice(loaded, price);
  const market = ctx.protocol.market;
  const marketAddress = await market.getAddress();
  const existing = await market.bidOf(jobId, provider);
  if (Number(existing.status) !== 0) {
    throw new CliError(
      "ALREADY_BID",
      `${provider} already has a ${BidStatus.label(existing.status).toLowerCase()} bid on job #${jobId}: ` +
        `reveal it with \`gridlease provider reveal ${jobId}\` once the bid window closes.`,
      { exitCode: EXIT_USAGE },
    );
  }
  const salt = newSalt();
  // Computed locally by the SDK (as JobMarket.bidCommitment does, binding the job's spec hash): no RPC request
  // carries the price or the salt before the reveal (test/cli/sealedBid.test.ts records every request to check).
  const commitment = bidCommitment(jobId, provider, price, salt, ctx.chainId, marketAddress, job.specHash);
  const record: SavedBid = {
    chainId: ctx.chainId.toString(),
    market: marketAddress,
    jobId: jobId.toString(),
    provider,
    price: price.toString(),
    salt,
    savedAt: new Date().toISOString(),
  };
  saveBid(saltFile, record);
  let transaction: SentTransaction;
  try {
    ({ sent: transaction } = await send(out, "commit bid", () => market.commitBid(jobId, commitment), {
      priceDecimals: token.decimals,
      now,
    }));
  } catch (error) {
    // Keep the salt if the commitment reached the chain after all (a lost receipt), else forget it.
    const after = await market.bidOf(jobId, provider).catch(() => undefined);
    // The market stores (and bidOf reports) the commitment's low 248 bits.
    if (after !== undefined && after.commitment !== storedCommitment(commitment))
      removeBid(saltFile, ctx.chainId, marketAddress, jobId, provider);
    throw error;
  }
  saveBid(saltFile, { ...record, commitTx: transaction.hash });
  return { jobId, price, commitment, saltFile, transaction };
}

export interface RevealResult {
  jobId: bigint;
  price: bigint;
  isBest: boolean;
  transaction: SentTransaction;
}

/** Reveals the bid saved in `saltFile` for the job. */
export async function revealSavedBid(
  ctx: Context,
  out: Output,
  loaded: LoadedJob,
  saltFile: string,
): Promise<RevealResult> {
  const { jobId, token, now } = loaded;
  const provider = signerOf(ctx).address;
  const market = ctx.protocol.market;
  const saved = findBid(saltFile, ctx.chainId, await market.getAddress(), jobId, provider);
  if (saved === undefined) {
    throw new CliError(
      "NO_SAVED_BID",
      `No saved bid of ${provider} on job #${jobId} in ${saltFile}: reveal with the --salt-file (or GRIDLEASE_HOME) ` +
        "used when bidding.",
      { exitCode: EXIT_USAGE },
    );
  }
  const price = BigInt(saved.price);
  checkBidPrice(loaded, price);
  const { receipt, sent } = await send(out, "reveal bid", () => market.revealBid(jobId, price, saved.salt), {
    priceDecimals: token.decimals,
    now,
  });
  // The salt has served its purpose: only bids awaiting their reveal stay in the file.
  removeBid(saltFile, ctx.chainId, await market.getAddress(), jobId, provider);
  let isBest = false;
  for (const log of receipt.logs) {
    const parsed = market.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed?.name === "BidRevealed") isBest = Boolean(parsed.args.isBest);
  }
  return { jobId, price, isBest, transaction: sent };
}
