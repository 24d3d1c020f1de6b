// A worked example of the burn-mint equilibrium over two epochs (`npm run example:bme`), on a fresh
// in-process chain: a renter burns GRL for USD credits, two providers run credit jobs, the GRL price
// moves, earnings are minted as GRL at the live price under a small per-epoch cap (so part of them waits
// for the next epoch), and the first epoch's emission is shared by GPU-hours. Every number printed is
// read from the chain (events and views); the script only chooses the actions.
import {
  formatUnits,
  id,
  parseUnits,
  type BaseContract,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  type Signer,
} from "ethers";
import { network } from "hardhat";

import GridleaseLocal from "../ignition/modules/GridleaseLocal.ts";
import type { IJobMarket } from "../types/ethers-contracts/index.ts";
import { connectLocalDeployment } from "./gas/local-protocol.ts";
import { gpuModelId, PricingRule, tflopsX100, workloadSpecHash, type PricingRuleName } from "../sdk/index.ts";

const GRL = 10n ** 18n;
const HOUR = 3600;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

const { ethers, ignition, networkHelpers } = await network.create();
const [deployer, renter, alpha, beta] = await ethers.getSigners();
// A small cap (600 GRL of earnings per epoch) so that it binds in this small example.
const deployment = await ignition.deploy(GridleaseLocal, {
  parameters: { GridleaseLocal: { mintCapPerEpoch: 600n * GRL, emissionBudgetPerEpoch: 1_000n * GRL } },
});
const { token, registry, market, settlement, oracle, feed } = await connectLocalDeployment(deployment, deployer);
const credits = await settlement.getAddress();
const treasury = await market.treasury();
// The protocol's fees accrue to the treasury, which withdraws them below: Ignition's default is the deployer.
if (treasury !== deployer.address) throw new Error("the example expects the deployer as treasury");
const H100 = gpuModelId("H100");
const deployBlock = await ethers.provider.getBlockNumber();

const names = new Map<string, string>([
  [renter.address, "renter"],
  [alpha.address, "Alpha"],
  [beta.address, "Beta"],
  [treasury, "treasury"],
]);
const nameOf = (address: string) => names.get(address) ?? address;

// ---------------------------------------------------------------------------------------------------
// Formatting and event helpers
// ---------------------------------------------------------------------------------------------------

/** A GRL or USD amount (18 decimals) with thousands separators and every significant decimal. */
function amount(value: bigint): string {
  const negative = value < 0n;
  const [whole, fraction] = formatUnits(negative ? -value : value, 18).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const decimals = fraction === "0" ? "" : `.${fraction}`;
  return `${negative ? "-" : ""}${grouped}${decimals}`;
}
const grl = (value: bigint) => `${amount(value)} GRL`;
function usd(value: bigint): string {
  const text = amount(value < 0n ? -value : value);
  const [whole, fraction = ""] = text.split(".");
  return `${value < 0n ? "-" : ""}$${whole}.${fraction.padEnd(2, "0")}`;
}
/** A net GRL flow with its sign: + inflationary, - deflationary. */
const signed = (value: bigint) => `${value > 0n ? "+" : ""}${grl(value)}`;
const bps = (value: bigint) => `${value} bps (${formatUnits(value, 2)}%)`;

async function send(tx: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("a transaction has no receipt");
  return receipt;
}

/**
 * An event's arguments by name. Amounts are bigints; the few address arguments are read with String().
 */
type EventArgs = Record<string, bigint>;

/** A JobCreated event's request tuple (GPU count, duration, reserve, spec hash...), by field name. */
function requestOf(created: EventArgs): Record<string, bigint> {
  return (created as unknown as { request: Record<string, bigint> }).request;
}

/** The decoded arguments of every `name` event that `contract` emitted in `receipt`, in order. */
function eventsIn(receipt: ContractTransactionReceipt, contract: BaseContract, name: string): EventArgs[] {
  const found: EventArgs[] = [];
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== String(contract.target).toLowerCase()) continue;
    const parsed = contract.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed?.name === name) found.push(parsed.args.toObject() as EventArgs);
  }
  return found;
}

/** The arguments of the first `name` event of `contract` in `receipt`; throws when there is none. */
function eventIn(receipt: ContractTransactionReceipt, contract: BaseContract, name: string): EventArgs {
  const [first] = eventsIn(receipt, contract, name);
  if (first === undefined) throw new Error(`no ${name} event in the transaction`);
  return first;
}

async function price(): Promise<bigint> {
  return oracle.grlUsdPrice();
}

/** Publishes a GRL/USD answer (8 decimals) on the local feed; the oracle reads it at 18 decimals. */
async function setPrice(dollars: string): Promise<bigint> {
  await send(feed.setAnswer(parseUnits(dollars, 8)));
  return price();
}

function request(rule: PricingRuleName, gpuCount: number, hours: number, reserve: string): IJobMarket.JobRequestStruct {
  return {
    paymentToken: credits,
    gpuModel: H100,
    gpuCount,
    minVramGb: 80,
    region: 0,
    minReputation: 0,
    duration: hours * HOUR,
    reservePricePerGpuHour: parseUnits(reserve, 18),
    pricingRule: PricingRule.valueOf(rule),
    bidWindow: HOUR,
    revealWindow: rule === "Instant" ? 0 : HOUR,
    specHash: workloadSpecHash(rule === "Instant" ? "bme-example/instant" : "bme-example/auction"),
  };
}

// ---------------------------------------------------------------------------------------------------
// Per-epoch ledger: GRL minted and burned, read back from the token's Transfer events and checked against
// the settlement's cumulative counters.
// ---------------------------------------------------------------------------------------------------

interface Totals {
  burned: bigint;
  mintedForEarnings: bigint;
  emissions: bigint;
}

async function settlementTotals(): Promise<Totals> {
  return {
    burned: await settlement.totalGrlBurned(),
    mintedForEarnings: await settlement.totalGrlMintedForEarnings(),
    emissions: await settlement.totalEmissionsMinted(),
  };
}

interface EpochReport {
  label: string;
  epoch: bigint;
  burned: bigint;
  mintedForEarnings: bigint;
  emissions: bigint;
  tokenMinted: bigint;
  tokenBurned: bigint;
  creditsOutstanding: bigint;
  creditsEscrowed: bigint;
  supply: bigint;
  initialSupply: bigint;
  totalMinted: bigint;
  totalBurned: bigint;
  expectedSupply: bigint;
  mintedInEpoch: bigint;
  cap: bigint;
}

async function closeEpoch(label: string, epoch: bigint, before: Totals, fromBlock: number): Promise<EpochReport> {
  const after = await settlementTotals();
  const toBlock = await ethers.provider.getBlockNumber();
  const mints = await token.queryFilter(token.filters.Transfer(ZERO_ADDRESS), fromBlock, toBlock);
  const burns = await token.queryFilter(token.filters.Transfer(undefined, ZERO_ADDRESS), fromBlock, toBlock);
  const report: EpochReport = {
    label,
    epoch,
    burned: after.burned - before.burned,
    mintedForEarnings: after.mintedForEarnings - before.mintedForEarnings,
    emissions: after.emissions - before.emissions,
    tokenMinted: mints.reduce((sum, e) => sum + e.args.value, 0n),
    tokenBurned: burns.reduce((sum, e) => sum + e.args.value, 0n),
    creditsOutstanding: await settlement.creditsOutstanding(),
    creditsEscrowed: await settlement.creditsEscrowed(),
    supply: await token.totalSupply(),
    initialSupply: await token.INITIAL_SUPPLY(),
    totalMinted: await token.totalMinted(),
    totalBurned: await token.totalBurned(),
    expectedSupply: (await token.INITIAL_SUPPLY()) + (await token.totalMinted()) - (await token.totalBurned()),
    mintedInEpoch: await settlement.mintedInEpoch(epoch),
    cap: await settlement.mintCapPerEpoch(),
  };
  const net = report.mintedForEarnings + report.emissions - report.burned;
  console.log(`\n  --- ${label} in figures (on-chain epoch ${epoch}) ---`);
  console.log(`  GRL burned for credits     ${grl(report.burned)}`);
  console.log(
    `  GRL minted for earnings    ${grl(report.mintedForEarnings)}  (mintedInEpoch(${epoch}) = ${grl(report.mintedInEpoch)}, cap ${grl(report.cap)})`,
  );
  console.log(`  GRL minted as emissions    ${grl(report.emissions)}`);
  console.log(`  net emission               ${signed(net)}  (minted - burned)`);
  console.log(`  token Transfer events      minted ${grl(report.tokenMinted)}, burned ${grl(report.tokenBurned)}`);
  console.log(
    `  credits outstanding        ${usd(report.creditsOutstanding)}  (in escrow: ${usd(report.creditsEscrowed)})`,
  );
  const ok = report.supply === report.expectedSupply;
  console.log(`  totalSupply                ${grl(report.supply)}`);
  console.log(
    `  initial + minted - burned  ${grl(report.initialSupply)} + ${grl(report.totalMinted)} - ${grl(report.totalBurned)} ` +
      `= ${grl(report.expectedSupply)}  ${ok ? "== totalSupply: OK" : "!= totalSupply: MISMATCH"}`,
  );
  if (!ok) throw new Error("supply conservation broken");
  if (report.tokenMinted !== report.mintedForEarnings + report.emissions || report.tokenBurned !== report.burned) {
    throw new Error("the token's Transfer events disagree with the settlement's counters");
  }
  if (report.totalMinted !== after.mintedForEarnings + after.emissions || report.totalBurned !== after.burned) {
    throw new Error("the token's cumulative counters disagree with the settlement's");
  }
  if (report.mintedInEpoch !== report.mintedForEarnings) throw new Error("mintedInEpoch disagrees with the counters");
  return report;
}

// ---------------------------------------------------------------------------------------------------
// Actions that print what the chain reports
// ---------------------------------------------------------------------------------------------------

async function buyCredits(grlAmount: bigint): Promise<void> {
  const receipt = await send(settlement.connect(renter).buyCredits(renter.address, grlAmount, 0n));
  const e = eventIn(receipt, settlement, "CreditsPurchased");
  console.log(
    `  renter burns ${grl(e.grlBurned)} at ${usd(e.grlUsdPrice)}/GRL: worth ${usd(e.usdValue)}, ` +
      `less the ${bps(e.spreadBps)} spread = ${usd(e.credits)} credits (balance ${usd(e.creditBalance)})`,
  );
}

async function withdraw(earner: Signer): Promise<bigint> {
  const address = await earner.getAddress();
  const receipt = await send(settlement.connect(earner).withdrawEarnings(address));
  const e = eventIn(receipt, settlement, "EarningsWithdrawn");
  const mint = eventsIn(receipt, settlement, "EarningsMinted");
  const released = eventsIn(receipt, settlement, "QueuedMintsReleased");
  let line =
    `  ${nameOf(address).padEnd(8)} withdraws ${usd(e.usdAmount)} at ${usd(e.grlUsdPrice)}/GRL = ${grl(e.grlAmount)} ` +
    `(capped at the ${grl(e.grlCap)} GRL burned for the credits behind it): ` +
    `${grl(e.mintedNow)} minted now`;
  if (e.queued !== 0n) line += `, ${grl(e.queued)} queued as ticket #${e.ticketId}`;
  console.log(line);
  for (const r of released)
    console.log(`           (first released ${grl(r.amount)} of the queue, head now ${grl(r.queueHead)})`);
  const last = mint.at(-1);
  if (last !== undefined)
    console.log(`           epoch ${last.epoch} has minted ${grl(last.mintedInEpoch)} of its ${grl(last.cap)} cap`);
  return e.ticketId;
}

async function claimTicket(holder: Signer, ticketId: bigint): Promise<void> {
  const receipt = await send(settlement.connect(holder).claimQueuedMint(ticketId));
  for (const r of eventsIn(receipt, settlement, "QueuedMintsReleased")) {
    console.log(
      `  the queue releases ${grl(r.amount)} of epoch ${r.epoch}'s cap into custody (queue head ${grl(r.queueHead)} of tail ${grl(r.queueTail)})`,
    );
  }
  const e = eventIn(receipt, settlement, "QueuedMintClaimed");
  console.log(
    `  ${nameOf(String(e.recipient)).padEnd(8)} claims ticket #${e.ticketId}: ${grl(e.amount)} (${grl(e.claimed)} of ${grl(e.ticketAmount)} paid)`,
  );
}

/** Registers, stakes and lists `gpus` H100s for a provider, funded by the treasury. */
async function onboard(signer: Signer, gpus: number, stake: bigint): Promise<void> {
  const address = await signer.getAddress();
  await send(token.transfer(address, stake));
  await send(token.connect(signer).approve(await registry.getAddress(), stake));
  await send(registry.connect(signer).register("ipfs://bme-example", 840));
  await send(registry.connect(signer).stake(stake));
  await send(registry.connect(signer).setGpuLine(H100, gpus, 80, tflopsX100(989.5)));
  await send(registry.connect(signer).setOnline(true));
  const p = await registry.providerOf(address);
  console.log(
    `  ${nameOf(address)} lists ${(await registry.gpuLineOf(address, H100)).count} H100 and stakes ${grl(p.freeStake + p.lockedStake)}`,
  );
}

function describeSettled(receipt: ContractTransactionReceipt): void {
  const s = eventIn(receipt, market, "JobSettled");
  const g = eventIn(receipt, settlement, "GpuSecondsRecorded");
  console.log(
    `  job #${s.jobId} settles: value ${usd(s.value)}, ${nameOf(String(s.provider))} earns ${usd(s.value - s.fee)}, ` +
      `treasury fee ${usd(s.fee)}; ${g.gpuSeconds.toLocaleString("en-US")} GPU-seconds (${Number(g.gpuSeconds) / HOUR} GPU-hours) ` +
      `and ${usd(g.feesUsd)} of fees (which cap the provider's emission) recorded in epoch ${g.epoch}`,
  );
}

// ===================================================================================================
// Setup
// ===================================================================================================

console.log("Gridlease burn-mint equilibrium: a worked example over two epochs\n");
console.log("Deployment (Ignition, GridleaseLocal):");
console.log(
  `  epoch length ${Number(await settlement.EPOCH_LENGTH()) / 86_400} days, purchase spread ${bps(await settlement.spreadBps())}, protocol fee ${bps((await market.marketParams(await market.currentParamsId())).feeBps)}`,
);
console.log(
  `  mint cap for earnings ${grl(await settlement.mintCapPerEpoch())} per epoch, emission budget ${grl(await settlement.emissionBudgetPerEpoch())} per epoch`,
);
console.log(`  GRL initial supply ${grl(await token.INITIAL_SUPPLY())}, held by the treasury`);

await onboard(alpha, 16, 5_000n * GRL);
await onboard(beta, 8, 3_000n * GRL);
await send(token.transfer(renter.address, 2_000n * GRL));
await send(token.connect(renter).approve(credits, 2n ** 256n - 1n));
console.log(`  renter receives ${grl(await token.balanceOf(renter.address))} from the treasury`);

// ===================================================================================================
// Epoch 1
// ===================================================================================================

const epoch1Start = await settlementTotals();
const epoch1Block = deployBlock + 1;
console.log(`\n=== Epoch 1 (on-chain epoch ${await settlement.currentEpoch()}) ===`);
console.log(`  GRL/USD oracle price: ${usd(await price())}`);
await buyCredits(1_600n * GRL);

// Job A: an instant job Alpha accepts. Job B: a sealed-bid second-price auction both providers bid on.
const jobA = await (async () => {
  const receipt = await send(market.connect(renter).createJob(request("Instant", 8, 24, "2.50")));
  const c = eventIn(receipt, market, "JobCreated");
  console.log(
    `  job #${c.jobId}: instant, ${requestOf(c).gpuCount} H100 x ${Number(requestOf(c).duration) / HOUR} h at ${usd(requestOf(c).reservePricePerGpuHour)}/GPU-hour, ${usd(c.escrow)} credits escrowed`,
  );
  const a = eventIn(await send(market.connect(alpha).acceptInstant(c.jobId)), market, "JobAwarded");
  console.log(`           accepted by ${nameOf(String(a.provider))}`);
  await send(market.connect(alpha).startJob(c.jobId));
  return c.jobId;
})();
const jobB = await (async () => {
  const receipt = await send(market.connect(renter).createJob(request("SecondPrice", 4, 24, "2.00")));
  const c = eventIn(receipt, market, "JobCreated");
  console.log(
    `  job #${c.jobId}: second-price auction, ${requestOf(c).gpuCount} H100 x ${Number(requestOf(c).duration) / HOUR} h, reserve ${usd(requestOf(c).reservePricePerGpuHour)}/GPU-hour, ${usd(c.escrow)} credits escrowed`,
  );
  const bids: [Signer, string][] = [
    [alpha, "1.90"],
    [beta, "1.80"],
  ];
  for (const [bidder, bid] of bids) {
    const commitment = await market.bidCommitment(
      c.jobId,
      await bidder.getAddress(),
      parseUnits(bid, 18),
      id(`salt-${bid}`),
    );
    await send(market.connect(bidder).commitBid(c.jobId, commitment));
  }
  await networkHelpers.time.increaseTo(c.bidDeadline);
  for (const [bidder, bid] of bids) {
    const r = eventIn(
      await send(market.connect(bidder).revealBid(c.jobId, parseUnits(bid, 18), id(`salt-${bid}`))),
      market,
      "BidRevealed",
    );
    console.log(`           ${nameOf(String(r.provider))} reveals ${usd(r.price)}/GPU-hour`);
  }
  await networkHelpers.time.increaseTo(c.revealDeadline);
  const a = eventIn(await send(market.award(c.jobId)), market, "JobAwarded");
  console.log(
    `           ${nameOf(String(a.provider))} wins at the second price ${usd(a.clearingPrice)}/GPU-hour: value ${usd(a.value)}, ` +
      `${usd(a.refund)} credits refunded to the renter`,
  );
  await send(market.closeBid(c.jobId, alpha.address)); // the loser's bid lock goes back to its free stake
  await send(market.connect(beta).startJob(c.jobId));
  return c.jobId;
})();

// Both deliver when their jobs end; both settle once the challenge window has passed.
for (const [jobId, provider] of [
  [jobA, alpha],
  [jobB, beta],
] as const) {
  const job = await market.jobOf(jobId);
  await networkHelpers.time.increaseTo(job.startedAt + job.duration);
  await send(market.connect(provider).deliver(jobId, id(`result-${jobId}`), `ipfs://result-${jobId}`));
}
await networkHelpers.time.increaseTo((await market.jobOf(jobB)).deadline);
for (const jobId of [jobA, jobB]) describeSettled(await send(market.settle(jobId)));

console.log(`  the GRL price moves: oracle now ${usd(await setPrice("0.80"))}`);
await withdraw(alpha);
const betaTicket = await withdraw(beta);
const treasuryTicket = await withdraw(deployer);
if ((await settlement.currentEpoch()) !== 0n) throw new Error("epoch 1's story ran past the epoch");
const report1 = await closeEpoch("Epoch 1", 0n, epoch1Start, epoch1Block);

// ===================================================================================================
// Epoch 2
// ===================================================================================================

await networkHelpers.time.increaseTo((await settlement.epochStart(1n)) + 60n);
const epoch2Start = await settlementTotals();
const epoch2Block = (await ethers.provider.getBlockNumber()) + 1;
console.log(`\n=== Epoch 2 (on-chain epoch ${await settlement.currentEpoch()}) ===`);
console.log(
  `  GRL/USD oracle price: ${usd(await setPrice("0.80"))} (republished: the oracle rejects answers older than a day)`,
);

// Epoch 1's emission, split by GPU-hours and capped at the GRL worth of each provider's fees.
{
  const book = await settlement.epochEmissionOf(0n);
  console.log(
    `  epoch 1's emission: budget ${grl(book.budget)} for ${Number(book.gpuSeconds) / HOUR} GPU-hours delivered`,
  );
  let shares = 0n;
  for (const provider of [alpha, beta]) {
    const e = eventIn(await send(settlement.claimEmission(0n, provider.address)), settlement, "EmissionClaimed");
    shares += e.share;
    console.log(
      `  ${nameOf(String(e.provider)).padEnd(8)} claims ${grl(e.amount)} for ${Number(e.gpuSeconds) / HOUR} GPU-hours ` +
        `of the epoch's ${Number(book.gpuSeconds) / HOUR}: its share ${grl(e.share)}, capped at the worth of its ` +
        `${usd(e.feesUsd)} of fees at ${usd(e.grlUsdPrice)}`,
    );
  }
  const after = await settlement.epochEmissionOf(0n);
  console.log(
    `  epoch 1's budget paid: ${grl(after.claimed)} (never minted: ${grl(shares - after.claimed)} above the fee caps, ` +
      `${grl(after.budget - shares)} left by rounding down)`,
  );
}

// The queue from epoch 1 is served first, from epoch 2's cap.
console.log(`  epoch 2's cap not yet used: ${grl(await settlement.mintCapRemaining())}`);
await claimTicket(beta, betaTicket);
await claimTicket(deployer, treasuryTicket);

// More business at the new price.
await buyCredits(250n * GRL);
{
  const receipt = await send(market.connect(renter).createJob(request("Instant", 4, 12, "2.00")));
  const c = eventIn(receipt, market, "JobCreated");
  console.log(
    `  job #${c.jobId}: instant, ${requestOf(c).gpuCount} H100 x ${Number(requestOf(c).duration) / HOUR} h at ${usd(requestOf(c).reservePricePerGpuHour)}/GPU-hour, ${usd(c.escrow)} credits escrowed, accepted by Alpha`,
  );
  await send(market.connect(alpha).acceptInstant(c.jobId));
  await send(market.connect(alpha).startJob(c.jobId));
  const job = await market.jobOf(c.jobId);
  await networkHelpers.time.increaseTo(job.startedAt + job.duration);
  await send(market.connect(alpha).deliver(c.jobId, id("result-3"), "ipfs://result-3"));
  await networkHelpers.time.increaseTo((await market.jobOf(c.jobId)).deadline);
  describeSettled(await send(market.settle(c.jobId)));
}
console.log(`  GRL/USD oracle price: ${usd(await setPrice("0.80"))} (republished)`);
await withdraw(alpha);
if ((await settlement.currentEpoch()) !== 1n) throw new Error("epoch 2's story ran past the epoch");
const report2 = await closeEpoch("Epoch 2", 1n, epoch2Start, epoch2Block);
{
  const book = await settlement.epochEmissionOf(1n);
  console.log(
    `  epoch 2's emission (${grl(book.budget)} for ${Number(book.gpuSeconds) / HOUR} GPU-hours) is claimable once epoch 2 ends`,
  );
}

// ===================================================================================================
// Summary
// ===================================================================================================

console.log("\n=== Summary ===");
const rows: [string, (r: EpochReport) => string][] = [
  ["GRL burned for credits", (r) => grl(r.burned)],
  ["GRL minted for earnings", (r) => grl(r.mintedForEarnings)],
  ["GRL minted as emissions", (r) => grl(r.emissions)],
  ["net emission (minted - burned)", (r) => signed(r.mintedForEarnings + r.emissions - r.burned)],
  ["credits outstanding (end)", (r) => usd(r.creditsOutstanding)],
  ["totalSupply (end)", (r) => grl(r.supply)],
  [
    "initial + minted - burned",
    (r) => `${grl(r.expectedSupply)} ${r.supply === r.expectedSupply ? "(OK)" : "(MISMATCH)"}`,
  ],
];
const width = 36;
console.log(`  ${"".padEnd(32)}${"Epoch 1".padEnd(width)}Epoch 2`);
for (const [label, cell] of rows) console.log(`  ${label.padEnd(32)}${cell(report1).padEnd(width)}${cell(report2)}`);
const [head, tail] = await settlement.mintQueue();
console.log(
  `  mint queue: head ${grl(head)}, tail ${grl(tail)} (${head === tail ? "empty: every queued GRL was minted" : "not empty"})`,
);
