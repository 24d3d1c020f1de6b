// The conservation laws reconcile checks, one function each: what the event history (EventTally)
// says against what the contracts report now. Each returns its checks in the order they are printed.
import type { Protocol } from "../../sdk/contracts.ts";
import type { EventTally } from "./tally.ts";

export interface Check {
  name: string;
  expected: string;
  actual: string;
  ok: boolean;
}

/** What the checks read: the contracts, their addresses (lower case), and the open jobs' escrow per token. */
export interface CheckContext {
  protocol: Protocol;
  addr: { market: string; settlement: string; registry: string; token: string };
  tally: EventTally;
  openEscrow: ReadonlyMap<string, bigint>;
}

/** Market job states that still hold escrow (IJobMarket.JobState). */
const OPEN_STATES = new Set([1n, 3n, 4n, 5n, 6n]);
const DISPUTED = 6n;

function equal(name: string, expected: bigint, actual: bigint): Check {
  return { name, expected: expected.toString(), actual: actual.toString(), ok: expected === actual };
}

/**
 * The escrow (and dispute bonds) the market stores for the jobs still open by their events, per
 * token; a job the events call open but the market does not is a failed check.
 */
export async function openJobEscrow(
  protocol: Protocol,
  tally: EventTally,
): Promise<{ openEscrow: Map<string, bigint>; checks: Check[] }> {
  const openEscrow = new Map<string, bigint>();
  const bump = (k: string, v: bigint) => openEscrow.set(k, (openEscrow.get(k) ?? 0n) + v);
  const checks: Check[] = [];
  for (const jobId of tally.open) {
    const job = await protocol.market.jobOf(jobId);
    if (!OPEN_STATES.has(job.state)) {
      checks.push({
        name: `job #${jobId} is open by its events`,
        expected: "an open state",
        actual: `state ${job.state}`,
        ok: false,
      });
      continue;
    }
    bump(tally.jobToken.get(jobId)!, job.escrow);
    if (job.state === DISPUTED) bump(tally.bonds.get(jobId)?.token ?? tally.jobToken.get(jobId)!, job.disputeBond);
  }
  return { openEscrow, checks };
}

/** Stablecoins: the market holds exactly what it owes (ledger balances) plus open escrow. */
export async function checkUsdcConservation({ protocol, addr, tally, openEscrow }: CheckContext): Promise<Check[]> {
  const checks: Check[] = [];
  for (const [t, received] of tally.inflow) {
    if (t === addr.settlement) continue;
    const ledger = tally.book(t);
    const erc20 =
      protocol.usdc !== undefined && t === (await protocol.usdc.getAddress()).toLowerCase() ? protocol.usdc : undefined;
    if (erc20 === undefined) continue;
    const held = await erc20.balanceOf(addr.market);
    const owed = ledger.total();
    const escrow = openEscrow.get(t) ?? 0n;
    const withdrawn = tally.withdrawn.get(t) ?? 0n;
    checks.push(equal(`USDC held by the market == escrowed - withdrawn (events)`, received - withdrawn, held));
    checks.push(equal(`USDC held by the market == ledger balances owed + open escrow`, owed + escrow, held));
    checks.push(equal(`USDC escrow of open jobs == escrowed - credited (events)`, received - owed - withdrawn, escrow));
    let ledgerOnChain = 0n;
    let mismatches = 0;
    for (const [account, balance] of ledger.entries()) {
      const onChain = await protocol.market.balanceOf(t, account);
      ledgerOnChain += onChain;
      if (onChain !== balance) mismatches++;
    }
    checks.push(
      equal(`USDC ledger: sum of market.balanceOf over ${ledger.entries().length} accounts`, owed, ledgerOnChain),
    );
    checks.push(equal("USDC ledger: accounts whose balance differs from their events", 0n, BigInt(mismatches)));
  }
  return checks;
}

/** GRL on the market: credit jobs' dispute bonds, open or owed on the ledger, and nothing else. */
export async function checkMarketGrlBonds({ protocol, addr, tally, openEscrow }: CheckContext): Promise<Check[]> {
  const ledger = tally.book(addr.token);
  const owed = ledger.total();
  const held = await protocol.token.balanceOf(addr.market);
  const received = tally.inflow.get(addr.token) ?? 0n;
  let mismatches = 0;
  for (const [account, balance] of ledger.entries())
    if ((await protocol.market.balanceOf(addr.token, account)) !== balance) mismatches++;
  return [
    equal(
      "GRL held by the market == dispute bonds posted - withdrawn (events)",
      received - (tally.withdrawn.get(addr.token) ?? 0n),
      held,
    ),
    equal(
      "GRL held by the market == ledger balances owed + open credit-job dispute bonds",
      owed + (openEscrow.get(addr.token) ?? 0n),
      held,
    ),
    equal(
      `GRL ledger: accounts (of ${ledger.entries().length}) whose market.balanceOf differs from their events`,
      0n,
      BigInt(mismatches),
    ),
  ];
}

/** Credits: the market's credit-job flows match the settlement's books, which match its state. */
export async function checkCredits({ protocol, addr, tally, openEscrow }: CheckContext): Promise<Check[]> {
  const { settlement } = protocol;
  const { sums, credits } = tally;
  const checks = [
    equal("credits spent == credit jobs' escrow", tally.inflow.get(addr.settlement) ?? 0n, sums.creditsSpent),
    equal(
      "credits refunded + earnings accrued == what credit jobs credited",
      tally.book(addr.settlement).total(),
      sums.creditsRefunded + sums.earningsAccrued,
    ),
    equal(
      "settlement.creditsEscrowed == spent - refunded - accrued",
      sums.creditsSpent - sums.creditsRefunded - sums.earningsAccrued,
      await settlement.creditsEscrowed(),
    ),
    equal(
      "settlement.creditsEscrowed == open credit jobs' escrow",
      openEscrow.get(addr.settlement) ?? 0n,
      await settlement.creditsEscrowed(),
    ),
  ];
  try {
    checks.push(
      equal(
        "settlement.creditsOutstanding == bought - spent + refunded",
        credits.total(),
        await settlement.creditsOutstanding(),
      ),
    );
  } catch (error) {
    // creditsOutstanding() evaluates bought - spent + refunded left to right, which underflows once
    // refunded credits have been spent again (spent > bought): report it as a failed check.
    const reason = error instanceof Error ? error.message.split(" (")[0] : String(error);
    checks.push({
      name: "settlement.creditsOutstanding == bought - spent + refunded",
      expected: credits.total().toString(),
      actual: reason,
      ok: false,
    });
  }
  checks.push(
    equal(
      "settlement.totalCreditsBought == sum of CreditsPurchased",
      sums.creditsBought,
      await settlement.totalCreditsBought(),
    ),
    equal(
      "settlement.totalEarningsAccrued == sum of EarningsAccrued",
      sums.earningsAccrued,
      await settlement.totalEarningsAccrued(),
    ),
    equal(
      "settlement.totalEarningsWithdrawn == sum of EarningsWithdrawn",
      sums.earningsWithdrawnUsd,
      await settlement.totalEarningsWithdrawn(),
    ),
  );
  let creditMismatches = 0;
  for (const [account, balance] of credits.entries())
    if ((await settlement.creditsOf(account)) !== balance) creditMismatches++;
  checks.push(
    equal(
      `credits: accounts (of ${credits.entries().length}) whose creditsOf differs from their events`,
      0n,
      BigInt(creditMismatches),
    ),
  );
  let earningMismatches = 0;
  for (const [account, balance] of tally.earnings.entries())
    if ((await settlement.earningsOf(account)) !== balance) earningMismatches++;
  checks.push(
    equal(
      `earnings: accounts (of ${tally.earnings.entries().length}) whose earningsOf differs from their events`,
      0n,
      BigInt(earningMismatches),
    ),
  );
  return checks;
}

/** GRL supply: what was minted and burned, by the token's counters and by the events, and who minted it. */
export async function checkGrlSupply({ protocol, tally }: CheckContext): Promise<Check[]> {
  const { token, settlement } = protocol;
  const { sums } = tally;
  const [initial, minted, burned, supply] = await Promise.all([
    token.INITIAL_SUPPLY(),
    token.totalMinted(),
    token.totalBurned(),
    token.totalSupply(),
  ]);
  return [
    equal("GRL totalSupply == INITIAL_SUPPLY + totalMinted - totalBurned", initial + minted - burned, supply),
    equal("GRL totalMinted == sum of TokensMinted", sums.tokensMinted, minted),
    equal("GRL totalBurned == sum of TokensBurned", sums.tokensBurned, burned),
    equal("GRL minted == earnings minted + emissions claimed", sums.earningsMinted + sums.emissions, sums.tokensMinted),
    equal(
      "GRL minted == settlement.totalGrlMintedForEarnings + totalEmissionsMinted",
      (await settlement.totalGrlMintedForEarnings()) + (await settlement.totalEmissionsMinted()),
      minted,
    ),
    equal(
      "settlement.totalEmissionsMinted == sum of EmissionClaimed",
      sums.emissions,
      await settlement.totalEmissionsMinted(),
    ),
  ];
}

/** Emissions: every record and claim follows from the ones before it, and each epoch's book matches the settlement's. */
export async function checkEmissions({ protocol, tally }: CheckContext): Promise<Check[]> {
  const { settlement } = protocol;
  const { emission, emissionBooks } = tally;
  const checks = [
    equal(
      "GpuSecondsRecorded: records whose running totals differ from the events before them",
      0n,
      BigInt(emission.recordMismatches),
    ),
    equal(
      `EmissionClaimed: claims (of ${emission.claims}, ${emission.capped} capped by fees) != min(pro-rata share, GRL worth of the fees)`,
      0n,
      BigInt(emission.claimMismatches),
    ),
    equal("EmissionClaimed: claims worth more than the fees at the claim's price", 0n, BigInt(emission.overFees)),
  ];
  let bookMismatches = 0;
  let recordsLeft = 0;
  let recordMismatches = 0;
  for (const [epoch, b] of emissionBooks) {
    const onChain = await settlement.epochEmissionOf(epoch);
    if (onChain.budget !== b.budget || onChain.gpuSeconds !== b.gpuSeconds || onChain.claimed !== b.claimed)
      bookMismatches++;
    if (b.claimed > b.shares || b.shares > b.budget) bookMismatches++;
    for (const [provider, r] of b.records) {
      recordsLeft++;
      const [seconds, fees] = await Promise.all([
        settlement.gpuSecondsOf(epoch, provider),
        settlement.feesUsdOf(epoch, provider),
      ]);
      if (seconds !== r.gpuSeconds || fees !== r.feesUsd) recordMismatches++;
    }
  }
  checks.push(
    equal(
      `emission books (of ${emissionBooks.size} epochs) that differ from epochEmissionOf or exceed their budget`,
      0n,
      BigInt(bookMismatches),
    ),
    equal(
      `unclaimed emission records (of ${recordsLeft}) whose gpuSecondsOf/feesUsdOf differ`,
      0n,
      BigInt(recordMismatches),
    ),
  );
  return checks;
}

/** GRL burned: for credits or by slashes, and nothing else; what earnings were owed was minted or queued. */
export async function checkGrlBurns({ protocol, tally }: CheckContext): Promise<Check[]> {
  const { sums } = tally;
  return [
    equal(
      "GRL burned == burned for credits + slashes burned",
      sums.burnedForCredits + sums.slashedBurned,
      sums.tokensBurned,
    ),
    equal(
      "settlement.totalGrlBurned == GRL burned for credits",
      sums.burnedForCredits,
      await protocol.settlement.totalGrlBurned(),
    ),
    equal("GRL owed for earnings == minted at once + queued", sums.mintedNow + sums.queued, sums.grlOwedForEarnings),
  ];
}

/**
 * Cost basis: the events' running bases and caps match the settlement, and credits are not
 * redeemable: the GRL behind credits and earnings plus the GRL owed for earnings never exceeds the
 * GRL burned for credits.
 */
export async function checkCostBasis({ protocol, tally }: CheckContext): Promise<Check[]> {
  const { settlement } = protocol;
  const { bases, caps, sums } = tally;
  let mismatches = 0;
  for (const [account, basis] of bases) if ((await settlement.creditBasisOf(account)) !== basis) mismatches++;
  for (const [account, cap] of caps) if ((await settlement.grlCapOf(account)) !== cap) mismatches++;
  const behind = [...bases.values(), ...caps.values()].reduce((sum, v) => sum + v, 0n) + sums.grlOwedForEarnings;
  return [
    equal(
      "cost basis: events whose basis or cap does not follow from the previous one",
      0n,
      BigInt(tally.basisMismatches),
    ),
    equal(
      `cost basis: accounts (of ${bases.size + caps.size}) whose basis or cap differs from their events`,
      0n,
      BigInt(mismatches),
    ),
    {
      name: `cost basis: credit bases + earnings caps + GRL owed for earnings (${behind}) <= GRL burned for credits (${sums.burnedForCredits})`,
      expected: "true",
      actual: String(behind <= sums.burnedForCredits),
      ok: behind <= sums.burnedForCredits,
    },
  ];
}

/** The mint queue: its tail is what was queued, its head what was minted into the settlement's custody, which holds the unclaimed rest. */
export async function checkMintQueue({ protocol, addr, tally }: CheckContext): Promise<Check[]> {
  const { sums } = tally;
  const [head, tail] = await protocol.settlement.mintQueue();
  return [
    equal("mint queue tail == GRL queued (events)", sums.queued, tail),
    equal("mint queue head == GRL minted into custody (events)", sums.earningsMintedToCustody, head),
    equal(
      "GRL in the settlement's custody == released - claimed",
      head - sums.queueClaimed,
      await protocol.token.balanceOf(addr.settlement),
    ),
  ];
}

/** The registry holds exactly the stake not withdrawn or slashed. */
export async function checkRegistryStake({ protocol, addr, tally }: CheckContext): Promise<Check[]> {
  const { sums } = tally;
  return [
    equal(
      "GRL held by the registry == staked - withdrawn - slashed",
      sums.staked - sums.stakeWithdrawn - sums.slashedTotal,
      await protocol.token.balanceOf(addr.registry),
    ),
  ];
}

/** Every check, in the order reconcile reports them. */
export const CHECKS: readonly ((context: CheckContext) => Promise<Check[]>)[] = [
  checkUsdcConservation,
  checkMarketGrlBonds,
  checkCredits,
  checkGrlSupply,
  checkEmissions,
  checkGrlBurns,
  checkCostBasis,
  checkMintQueue,
  checkRegistryStake,
];
