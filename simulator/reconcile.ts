// Reconciles every balance the protocol holds with its event history: no token created or lost.
// Rebuilds, from events alone, the market's per-token ledger, the escrow of open jobs, the
// settlement's credits, earnings and mint queue, and GRL's supply, stake and custody, then compares
// each with what the contracts report now.
import { connectProtocol, EventDecoder, type ProtocolEvent } from "../sdk/contracts.ts";
import type { DeployedAddresses } from "../sdk/index.ts";
import { Chain, type Eip1193 } from "./chain.ts";

export interface Check {
  name: string;
  expected: string;
  actual: string;
  ok: boolean;
}

export interface Reconciliation {
  ok: boolean;
  checks: Check[];
  /** Protocol events read. */
  events: number;
  /** Jobs whose money is still escrowed. */
  openJobs: number;
}

/** Market job states that still hold escrow (IJobMarket.JobState). */
const OPEN_STATES = new Set([1n, 3n, 4n, 5n, 6n]);
const DISPUTED = 6n;
const BLOCK_RANGE = 2_000;

class Book {
  private readonly balances = new Map<string, bigint>();

  add(account: string, amount: bigint): void {
    if (amount === 0n) return;
    const key = account.toLowerCase();
    this.balances.set(key, (this.balances.get(key) ?? 0n) + amount);
  }

  entries(): [string, bigint][] {
    return [...this.balances];
  }

  total(): bigint {
    let sum = 0n;
    for (const v of this.balances.values()) sum += v;
    return sum;
  }
}

async function readEvents(chain: Chain, decoder: EventDecoder, addresses: string[]): Promise<ProtocolEvent[]> {
  const latest = Number(BigInt((await chain.transport.request({ method: "eth_blockNumber" })) as string));
  const events: ProtocolEvent[] = [];
  for (let from = 0; from <= latest; from += BLOCK_RANGE) {
    const to = Math.min(latest, from + BLOCK_RANGE - 1);
    const logs = (await chain.transport.request({
      method: "eth_getLogs",
      params: [{ fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}`, address: addresses }],
    })) as { address: string; topics: string[]; data: string; blockNumber: string; logIndex: string }[];
    events.push(
      ...decoder.decode(
        logs.map((l) => ({
          address: l.address,
          topics: l.topics,
          data: l.data,
          blockNumber: Number(BigInt(l.blockNumber)),
          index: Number(BigInt(l.logIndex)),
        })),
      ),
    );
  }
  return events;
}

export async function reconcile(transport: Eip1193, deployed: DeployedAddresses): Promise<Reconciliation> {
  const chain = new Chain(transport);
  const chainId = await chain.chainId();
  const protocol = connectProtocol(chainId, deployed, chain.provider);
  const { market, settlement, registry, token } = protocol;
  const decoder = new EventDecoder(chainId, deployed);
  const addr = {
    market: (await market.getAddress()).toLowerCase(),
    settlement: (await settlement.getAddress()).toLowerCase(),
    registry: (await registry.getAddress()).toLowerCase(),
    token: (await token.getAddress()).toLowerCase(),
  };
  const treasury = await market.treasury();
  const events = await readEvents(chain, decoder, Object.values(addr));

  // Market: per token, money in (escrow, dispute bonds), credited to accounts, and withdrawn. A job's
  // escrow is in its payment token; its dispute bond in the bond token (GRL for a credit job).
  const jobToken = new Map<bigint, string>();
  const bonds = new Map<bigint, { token: string; amount: bigint }>();
  const open = new Set<bigint>();
  const inflow = new Map<string, bigint>();
  const withdrawn = new Map<string, bigint>();
  const credited = new Map<string, Book>();
  const bump = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);
  const book = (tokenAddress: string) => {
    let b = credited.get(tokenAddress);
    if (b === undefined) credited.set(tokenAddress, (b = new Book()));
    return b;
  };
  const creditFor = (jobId: bigint, account: string, amount: bigint) => book(jobToken.get(jobId)!).add(account, amount);
  const bondFor = (jobId: bigint, account: string, amount: bigint) => {
    if (amount !== 0n) book(bonds.get(jobId)!.token).add(account, amount);
  };

  // Settlement and GRL.
  const credits = new Book();
  const earnings = new Book();
  // Cost basis (ISettlement "Cost basis"): the GRL behind each account's credits, and each earner's GRL cap.
  const bases = new Map<string, bigint>();
  const caps = new Map<string, bigint>();
  let basisMismatches = 0;
  const sums = {
    creditsBought: 0n,
    creditsSpent: 0n,
    creditsRefunded: 0n,
    earningsAccrued: 0n,
    earningsWithdrawnUsd: 0n,
    grlOwedForEarnings: 0n,
    mintedNow: 0n,
    queued: 0n,
    earningsMinted: 0n,
    earningsMintedToCustody: 0n,
    queueClaimed: 0n,
    emissions: 0n,
    tokensMinted: 0n,
    tokensBurned: 0n,
    burnedForCredits: 0n,
    slashedBurned: 0n,
    slashedTotal: 0n,
    staked: 0n,
    stakeWithdrawn: 0n,
  };

  // Emissions, per epoch: the budget fixed by the first record, the GPU-seconds and each provider's
  // GPU-seconds and fees (the cap) recorded, and the claims, each recomputed from the records before it:
  // min(floor(budget x seconds / epoch seconds), floor(fees x 1e18 / price at the claim)).
  interface EmissionBook {
    budget: bigint;
    gpuSeconds: bigint;
    claimed: bigint;
    shares: bigint;
    records: Map<string, { gpuSeconds: bigint; feesUsd: bigint }>;
  }
  const emissionBooks = new Map<bigint, EmissionBook>();
  const emissionBook = (epoch: bigint): EmissionBook => {
    let b = emissionBooks.get(epoch);
    if (b === undefined) emissionBooks.set(epoch, (b = { budget: 0n, gpuSeconds: 0n, claimed: 0n, shares: 0n, records: new Map() }));
    return b;
  };
  const emission = { recordMismatches: 0, claims: 0, claimMismatches: 0, capped: 0, overFees: 0 };

  for (const e of events) {
    switch (e.name) {
      case "JobCreated": {
        const t = e.args.paymentToken.toLowerCase();
        jobToken.set(e.args.jobId, t);
        open.add(e.args.jobId);
        bump(inflow, t, e.args.escrow);
        break;
      }
      case "JobDisputed": {
        const t = e.args.bondToken.toLowerCase();
        bonds.set(e.args.jobId, { token: t, amount: e.args.bond });
        bump(inflow, t, e.args.bond);
        break;
      }
      case "JobCancelled":
        creditFor(e.args.jobId, e.args.renter, e.args.refund);
        open.delete(e.args.jobId);
        break;
      case "JobAwarded":
        creditFor(e.args.jobId, e.args.renter, e.args.refund);
        break;
      case "JobExpired":
        creditFor(e.args.jobId, e.args.renter, e.args.refund);
        open.delete(e.args.jobId);
        break;
      case "PaymentClaimed":
        creditFor(e.args.jobId, e.args.provider, e.args.gross - e.args.fee);
        creditFor(e.args.jobId, treasury, e.args.fee);
        break;
      case "JobStopped":
        creditFor(e.args.jobId, e.args.provider, e.args.providerGross - e.args.fee);
        creditFor(e.args.jobId, treasury, e.args.fee);
        creditFor(e.args.jobId, e.args.renter, e.args.refund);
        open.delete(e.args.jobId);
        break;
      case "JobSettled":
        creditFor(e.args.jobId, e.args.provider, e.args.finalGross - e.args.fee);
        creditFor(e.args.jobId, treasury, e.args.fee);
        bondFor(e.args.jobId, e.args.provider, e.args.bondToProvider);
        bondFor(e.args.jobId, e.args.renter, e.args.bondRefund);
        open.delete(e.args.jobId);
        break;
      case "DisputeResolvedForRenter":
        creditFor(e.args.jobId, e.args.provider, e.args.providerGross - e.args.fee);
        creditFor(e.args.jobId, treasury, e.args.fee);
        creditFor(e.args.jobId, e.args.renter, e.args.refund);
        bondFor(e.args.jobId, e.args.renter, bonds.get(e.args.jobId)?.amount ?? 0n);
        open.delete(e.args.jobId);
        break;
      case "JobFailed":
        creditFor(e.args.jobId, e.args.renter, e.args.refund);
        open.delete(e.args.jobId);
        break;
      case "Withdrawn": {
        const t = e.args.token.toLowerCase();
        book(t).add(e.args.account, -e.args.amount);
        bump(withdrawn, t, e.args.amount);
        break;
      }
      case "CreditsPurchased":
        credits.add(e.args.account, e.args.credits);
        sums.creditsBought += e.args.credits;
        sums.burnedForCredits += e.args.grlBurned;
        {
          // The basis a purchase adds: the GRL burned less the spread, rounded down.
          const a = e.args.account.toLowerCase();
          bases.set(a, (bases.get(a) ?? 0n) + (e.args.grlBurned * (10_000n - BigInt(e.args.spreadBps))) / 10_000n);
        }
        break;
      case "CreditsSpent": {
        credits.add(e.args.account, -e.args.amount);
        sums.creditsSpent += e.args.amount;
        const a = e.args.account.toLowerCase();
        if ((bases.get(a) ?? 0n) - e.args.basisOut !== e.args.creditBasis) basisMismatches++;
        bases.set(a, e.args.creditBasis);
        break;
      }
      case "CreditsRefunded": {
        credits.add(e.args.account, e.args.amount);
        sums.creditsRefunded += e.args.amount;
        const a = e.args.account.toLowerCase();
        if ((bases.get(a) ?? 0n) + e.args.basisIn !== e.args.creditBasis) basisMismatches++;
        bases.set(a, e.args.creditBasis);
        break;
      }
      case "EarningsAccrued": {
        earnings.add(e.args.account, e.args.usdAmount);
        sums.earningsAccrued += e.args.usdAmount;
        const a = e.args.account.toLowerCase();
        if ((caps.get(a) ?? 0n) + e.args.capIn !== e.args.grlCap) basisMismatches++;
        caps.set(a, e.args.grlCap);
        break;
      }
      case "EarningsWithdrawn":
        if (e.args.grlAmount > e.args.grlCap) basisMismatches++;
        caps.set(e.args.account.toLowerCase(), 0n);
        earnings.add(e.args.account, -e.args.usdAmount);
        sums.earningsWithdrawnUsd += e.args.usdAmount;
        sums.grlOwedForEarnings += e.args.grlAmount;
        sums.mintedNow += e.args.mintedNow;
        sums.queued += e.args.queued;
        break;
      case "EarningsMinted":
        sums.earningsMinted += e.args.amount;
        if (e.args.to.toLowerCase() === addr.settlement) sums.earningsMintedToCustody += e.args.amount;
        break;
      case "QueuedMintClaimed":
        sums.queueClaimed += e.args.amount;
        break;
      case "GpuSecondsRecorded": {
        const b = emissionBook(e.args.epoch);
        if (b.gpuSeconds === 0n) b.budget = e.args.epochBudget;
        b.gpuSeconds += e.args.gpuSeconds;
        const key = e.args.provider.toLowerCase();
        const r = b.records.get(key) ?? { gpuSeconds: 0n, feesUsd: 0n };
        r.gpuSeconds += e.args.gpuSeconds;
        r.feesUsd += e.args.feesUsd;
        b.records.set(key, r);
        if (
          e.args.epochBudget !== b.budget ||
          e.args.epochGpuSeconds !== b.gpuSeconds ||
          e.args.providerGpuSeconds !== r.gpuSeconds ||
          e.args.providerFeesUsd !== r.feesUsd
        ) {
          emission.recordMismatches++;
        }
        break;
      }
      case "EmissionClaimed": {
        sums.emissions += e.args.amount;
        emission.claims++;
        const b = emissionBook(e.args.epoch);
        const key = e.args.provider.toLowerCase();
        const r = b.records.get(key) ?? { gpuSeconds: 0n, feesUsd: 0n };
        b.records.delete(key);
        const share = b.gpuSeconds === 0n ? 0n : (b.budget * r.gpuSeconds) / b.gpuSeconds;
        const cap = (r.feesUsd * 10n ** 18n) / e.args.grlUsdPrice;
        const amount = share < cap ? share : cap;
        b.claimed += e.args.amount;
        b.shares += share;
        if (cap < share) emission.capped++;
        if (e.args.amount * e.args.grlUsdPrice > r.feesUsd * 10n ** 18n) emission.overFees++;
        if (
          e.args.gpuSeconds !== r.gpuSeconds ||
          e.args.feesUsd !== r.feesUsd ||
          e.args.share !== share ||
          e.args.amount !== amount ||
          e.args.epochClaimed !== b.claimed
        ) {
          emission.claimMismatches++;
        }
        break;
      }
      case "TokensMinted":
        sums.tokensMinted += e.args.amount;
        break;
      case "TokensBurned":
        sums.tokensBurned += e.args.amount;
        break;
      case "ProviderSlashed":
        sums.slashedBurned += e.args.burned;
        sums.slashedTotal += e.args.toRecipient + e.args.burned;
        break;
      case "Staked":
        sums.staked += e.args.amount;
        break;
      case "StakeWithdrawn":
        sums.stakeWithdrawn += e.args.amount;
        break;
      default:
        break;
    }
  }

  const checks: Check[] = [];
  const expect = (name: string, expected: bigint, actual: bigint) =>
    checks.push({ name, expected: expected.toString(), actual: actual.toString(), ok: expected === actual });

  // Escrow of open jobs, per token, as the market stores it.
  const openEscrow = new Map<string, bigint>();
  for (const jobId of open) {
    const job = await market.jobOf(jobId);
    if (!OPEN_STATES.has(job.state)) {
      checks.push({ name: `job #${jobId} is open by its events`, expected: "an open state", actual: `state ${job.state}`, ok: false });
      continue;
    }
    bump(openEscrow, jobToken.get(jobId)!, job.escrow);
    if (job.state === DISPUTED) bump(openEscrow, bonds.get(jobId)?.token ?? jobToken.get(jobId)!, job.disputeBond);
  }

  // Stablecoins: the market holds exactly what it owes (ledger balances) plus open escrow.
  for (const [t, received] of inflow) {
    if (t === addr.settlement) continue;
    const ledger = book(t);
    const erc20 = protocol.usdc !== undefined && t === (await protocol.usdc.getAddress()).toLowerCase() ? protocol.usdc : undefined;
    if (erc20 === undefined) continue;
    const held = await erc20.balanceOf(addr.market);
    const owed = ledger.total();
    const escrow = openEscrow.get(t) ?? 0n;
    expect(`USDC held by the market == escrowed - withdrawn (events)`, received - (withdrawn.get(t) ?? 0n), held);
    expect(`USDC held by the market == ledger balances owed + open escrow`, owed + escrow, held);
    expect(`USDC escrow of open jobs == escrowed - credited (events)`, received - owed - (withdrawn.get(t) ?? 0n), escrow);
    let ledgerOnChain = 0n;
    let mismatches = 0;
    for (const [account, balance] of ledger.entries()) {
      const onChain = await market.balanceOf(t, account);
      ledgerOnChain += onChain;
      if (onChain !== balance) mismatches++;
    }
    expect(`USDC ledger: sum of market.balanceOf over ${ledger.entries().length} accounts`, owed, ledgerOnChain);
    expect("USDC ledger: accounts whose balance differs from their events", 0n, BigInt(mismatches));
  }

  // GRL on the market: credit jobs' dispute bonds, open or owed on the ledger, and nothing else.
  {
    const ledger = book(addr.token);
    const owed = ledger.total();
    const held = await token.balanceOf(addr.market);
    const received = inflow.get(addr.token) ?? 0n;
    expect("GRL held by the market == dispute bonds posted - withdrawn (events)", received - (withdrawn.get(addr.token) ?? 0n), held);
    expect("GRL held by the market == ledger balances owed + open credit-job dispute bonds", owed + (openEscrow.get(addr.token) ?? 0n), held);
    let mismatches = 0;
    for (const [account, balance] of ledger.entries()) if ((await market.balanceOf(addr.token, account)) !== balance) mismatches++;
    expect(`GRL ledger: accounts (of ${ledger.entries().length}) whose market.balanceOf differs from their events`, 0n, BigInt(mismatches));
  }

  // Credits: the market's credit-job flows match the settlement's books, which match its state.
  const creditLedger = book(addr.settlement);
  const creditEscrow = openEscrow.get(addr.settlement) ?? 0n;
  expect("credits spent == credit jobs' escrow", inflow.get(addr.settlement) ?? 0n, sums.creditsSpent);
  expect(
    "credits refunded + earnings accrued == what credit jobs credited",
    creditLedger.total(),
    sums.creditsRefunded + sums.earningsAccrued,
  );
  expect("settlement.creditsEscrowed == spent - refunded - accrued", sums.creditsSpent - sums.creditsRefunded - sums.earningsAccrued, await settlement.creditsEscrowed());
  expect("settlement.creditsEscrowed == open credit jobs' escrow", creditEscrow, await settlement.creditsEscrowed());
  try {
    expect("settlement.creditsOutstanding == bought - spent + refunded", credits.total(), await settlement.creditsOutstanding());
  } catch (error) {
    // creditsOutstanding() evaluates bought - spent + refunded left to right, which underflows once
    // refunded credits have been spent again (spent > bought): report it as a failed check.
    const reason = error instanceof Error ? error.message.split(" (")[0] : String(error);
    checks.push({ name: "settlement.creditsOutstanding == bought - spent + refunded", expected: credits.total().toString(), actual: reason, ok: false });
  }
  expect("settlement.totalCreditsBought == sum of CreditsPurchased", sums.creditsBought, await settlement.totalCreditsBought());
  expect("settlement.totalEarningsAccrued == sum of EarningsAccrued", sums.earningsAccrued, await settlement.totalEarningsAccrued());
  expect("settlement.totalEarningsWithdrawn == sum of EarningsWithdrawn", sums.earningsWithdrawnUsd, await settlement.totalEarningsWithdrawn());
  let creditMismatches = 0;
  for (const [account, balance] of credits.entries()) if ((await settlement.creditsOf(account)) !== balance) creditMismatches++;
  expect(`credits: accounts (of ${credits.entries().length}) whose creditsOf differs from their events`, 0n, BigInt(creditMismatches));
  let earningMismatches = 0;
  for (const [account, balance] of earnings.entries()) if ((await settlement.earningsOf(account)) !== balance) earningMismatches++;
  expect(`earnings: accounts (of ${earnings.entries().length}) whose earningsOf differs from their events`, 0n, BigInt(earningMismatches));

  // GRL: supply conservation, and every GRL the protocol holds accounted for.
  const [initial, minted, burned, supply] = await Promise.all([
    token.INITIAL_SUPPLY(),
    token.totalMinted(),
    token.totalBurned(),
    token.totalSupply(),
  ]);
  expect("GRL totalSupply == INITIAL_SUPPLY + totalMinted - totalBurned", initial + minted - burned, supply);
  expect("GRL totalMinted == sum of TokensMinted", sums.tokensMinted, minted);
  expect("GRL totalBurned == sum of TokensBurned", sums.tokensBurned, burned);
  expect("GRL minted == earnings minted + emissions claimed", sums.earningsMinted + sums.emissions, sums.tokensMinted);
  expect(
    "GRL minted == settlement.totalGrlMintedForEarnings + totalEmissionsMinted",
    (await settlement.totalGrlMintedForEarnings()) + (await settlement.totalEmissionsMinted()),
    minted,
  );
  expect("settlement.totalEmissionsMinted == sum of EmissionClaimed", sums.emissions, await settlement.totalEmissionsMinted());
  expect("GpuSecondsRecorded: records whose running totals differ from the events before them", 0n, BigInt(emission.recordMismatches));
  expect(
    `EmissionClaimed: claims (of ${emission.claims}, ${emission.capped} capped by fees) != min(pro-rata share, GRL worth of the fees)`,
    0n,
    BigInt(emission.claimMismatches),
  );
  expect("EmissionClaimed: claims worth more than the fees at the claim's price", 0n, BigInt(emission.overFees));
  let bookMismatches = 0;
  let recordsLeft = 0;
  let recordMismatches = 0;
  for (const [epoch, b] of emissionBooks) {
    const onChain = await settlement.epochEmissionOf(epoch);
    if (onChain.budget !== b.budget || onChain.gpuSeconds !== b.gpuSeconds || onChain.claimed !== b.claimed) bookMismatches++;
    if (b.claimed > b.shares || b.shares > b.budget) bookMismatches++;
    for (const [provider, r] of b.records) {
      recordsLeft++;
      const [seconds, fees] = await Promise.all([settlement.gpuSecondsOf(epoch, provider), settlement.feesUsdOf(epoch, provider)]);
      if (seconds !== r.gpuSeconds || fees !== r.feesUsd) recordMismatches++;
    }
  }
  expect(`emission books (of ${emissionBooks.size} epochs) that differ from epochEmissionOf or exceed their budget`, 0n, BigInt(bookMismatches));
  expect(`unclaimed emission records (of ${recordsLeft}) whose gpuSecondsOf/feesUsdOf differ`, 0n, BigInt(recordMismatches));
  expect("GRL burned == burned for credits + slashes burned", sums.burnedForCredits + sums.slashedBurned, sums.tokensBurned);
  expect("settlement.totalGrlBurned == GRL burned for credits", sums.burnedForCredits, await settlement.totalGrlBurned());
  expect("GRL owed for earnings == minted at once + queued", sums.mintedNow + sums.queued, sums.grlOwedForEarnings);

  // Cost basis: the events' running bases and caps match the settlement, and credits are not
  // redeemable: the GRL behind credits and earnings plus the GRL owed for earnings never exceeds the
  // GRL burned for credits.
  expect("cost basis: events whose basis or cap does not follow from the previous one", 0n, BigInt(basisMismatches));
  let baseMismatches = 0;
  for (const [account, basis] of bases) if ((await settlement.creditBasisOf(account)) !== basis) baseMismatches++;
  for (const [account, cap] of caps) if ((await settlement.grlCapOf(account)) !== cap) baseMismatches++;
  expect(`cost basis: accounts (of ${bases.size + caps.size}) whose basis or cap differs from their events`, 0n, BigInt(baseMismatches));
  const behind = [...bases.values(), ...caps.values()].reduce((sum, v) => sum + v, 0n) + sums.grlOwedForEarnings;
  checks.push({
    name: `cost basis: credit bases + earnings caps + GRL owed for earnings (${behind}) <= GRL burned for credits (${sums.burnedForCredits})`,
    expected: "true",
    actual: String(behind <= sums.burnedForCredits),
    ok: behind <= sums.burnedForCredits,
  });
  const [head, tail] = await settlement.mintQueue();
  expect("mint queue tail == GRL queued (events)", sums.queued, tail);
  expect("mint queue head == GRL minted into custody (events)", sums.earningsMintedToCustody, head);
  expect("GRL in the settlement's custody == released - claimed", head - sums.queueClaimed, await token.balanceOf(addr.settlement));
  expect("GRL held by the registry == staked - withdrawn - slashed", sums.staked - sums.stakeWithdrawn - sums.slashedTotal, await token.balanceOf(addr.registry));

  return { ok: checks.every((c) => c.ok), checks, events: events.length, openJobs: open.size };
}
