// Section 2b: registry operations against the provider's inventory (1, 10 and 100 GPU lines) and
// against the number of providers registered (1, 100 and 1,000). Each case measures the same calls on a
// provider in the same storage state apart from the dimension that grows, so any difference is growth.
import { encodeBytes32String, id, Wallet, type Signer } from "ethers";
import { network } from "hardhat";

import { gpuModelId, tflopsX100 } from "../../../sdk/index.ts";
import { FLAT_BOUND, spread, type BenchRow, type BenchSection, type BenchTable } from "../types.ts";

const GRL = 10n ** 18n;
const LINE_COUNTS = [1, 10, 100];
const PROVIDER_COUNTS = [1, 100, 1_000];
const STAKE = 50_000n * GRL;

type Gas = Record<string, number>;

const section: BenchSection = {
  id: "growth-registry",
  title: "2b. Growth of registry operations",
  async run() {
    const { ethers, networkHelpers } = await network.create();
    const [admin, market, renter] = await ethers.getSigners();
    const token = await ethers.deployContract("GridleaseToken", [admin.address, admin.address, 1_000_000_000n * GRL]);
    const registry = await ethers.deployContract("ProviderRegistry", [
      await token.getAddress(),
      admin.address,
      200n * GRL,
      7n * 24n * 3600n,
    ]);
    await registry.grantRole(await registry.MARKET_ROLE(), market.address);
    const registryAddress = await registry.getAddress();
    const H100 = gpuModelId("H100");
    const RTX4090 = gpuModelId("RTX4090");
    const asMarket = registry.connect(market);

    let walletIndex = 0;
    async function fund(): Promise<Signer & { address: string }> {
      const wallet = new Wallet(id(`gridlease-bench-registry-${walletIndex++}`), ethers.provider);
      await networkHelpers.setBalance(wallet.address, 10n ** 20n);
      await token.transfer(wallet.address, STAKE);
      await token.connect(wallet).approve(registryAddress, ethers.MaxUint256);
      return wallet;
    }

    async function gasOf(tx: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
      const receipt = await (await tx).wait();
      if (receipt === null) throw new Error("no receipt");
      return Number(receipt.gasUsed);
    }

    /** Onboarding of a fresh provider (the figures for the provider-count dimension). */
    async function onboard(p: Signer): Promise<Gas> {
      const r = registry.connect(p);
      return {
        register: await gasOf(r.register("ipfs://bench", 840)),
        "stake (first)": await gasOf(r.stake(STAKE / 2n)),
        "setGpuLine (new model)": await gasOf(r.setGpuLine(H100, 8, 80, tflopsX100(989.5))),
        "setOnline(true)": await gasOf(r.setOnline(true)),
      };
    }

    /** The steady-state calls on a provider that already has its lines listed. */
    async function operate(p: Signer & { address: string }, jobId: bigint): Promise<Gas> {
      const r = registry.connect(p);
      const g: Gas = {};
      g["stake (top-up)"] = await gasOf(r.stake(1_000n * GRL));
      g["setGpuLine (another model)"] = await gasOf(r.setGpuLine(RTX4090, 2, 24, tflopsX100(82.6)));
      g["setGpuLine (change count)"] = await gasOf(r.setGpuLine(RTX4090, 3, 24, tflopsX100(82.6)));
      g.removeGpuLine = await gasOf(r.removeGpuLine(RTX4090));
      g["setOnline(false)"] = await gasOf(r.setOnline(false));
      await r.setOnline(true);
      g["lockIfEligible (new lock)"] = await gasOf(
        asMarket.lockIfEligible(p.address, jobId, 300n * GRL, H100, 4, 80, 0, 0),
      );
      g["unlockCollateral (partial)"] = await gasOf(asMarket.unlockCollateral(p.address, jobId, 100n * GRL));
      g.leaseGpus = await gasOf(asMarket.leaseGpus(p.address, H100, 4));
      g.releaseGpus = await gasOf(asMarket.releaseGpus(p.address, H100, 4));
      g["unlockAndRecordSuccess (amount 0)"] = await gasOf(
        asMarket.unlockAndRecordSuccess(p.address, jobId, 0n, 100n * 10n ** 18n),
      );
      g.recordFault = await gasOf(asMarket.recordFault(p.address));
      g["slash (to renter + burn)"] = await gasOf(
        asMarket.slash(p.address, jobId, 60n * GRL, renter.address, 40n * GRL),
      );
      g["requestUnbond (first)"] = await gasOf(r.requestUnbond(500n * GRL));
      g.cancelUnbond = await gasOf(r.cancelUnbond());
      return g;
    }

    // One-time global writes, done before measuring so that the ratios show growth only. On a fresh
    // deployment the first stake sets the registry's GRL balance from zero and the first slash is the
    // token's first burn, which sets totalBurned from zero (each 17,100 gas more, once per deployment, not
    // per provider). A live deployment wrote both long ago (stake is held from the first provider on;
    // buyCredits burns GRL before any slash), so: a wei sent to the registry directly (no provider is
    // registered by it, so the measured provider is still the 1st), and a wei burned by the admin.
    // The slash also pays the renter GRL: give it a balance, as any renter that was ever refunded has.
    // Nothing else in the registry is global (providers live in a mapping), so the first provider ever
    // registered is then a fair "1 provider" case.
    await (await token.transfer(registryAddress, 1n)).wait();
    await (await token.burn(1n)).wait();
    await (await token.transfer(renter.address, GRL)).wait();

    // Dimension 1: providers registered in total, the measured provider included (the 1st, 100th, 1,000th).
    // Fill providers are full ones: staked, listed and online.
    const byProviders: Gas[] = [];
    let registered = 0;
    let jobId = 1n;
    for (const target of PROVIDER_COUNTS) {
      while (registered < target - 1) {
        const p = await fund();
        const r = registry.connect(p);
        await r.register("ipfs://bench", 840);
        await r.stake(1_000n * GRL);
        await r.setGpuLine(H100, 4, 80, tflopsX100(989.5));
        await r.setOnline(true);
        registered++;
      }
      const p = await fund();
      const o = await onboard(p);
      registered++;
      byProviders.push({ ...o, ...(await operate(p, jobId++)) });
    }

    // Dimension 2: GPU lines listed by the provider. Lines beyond H100 use synthetic model ids; each line
    // is 1 GPU so that the stake covers 100 lines.
    const byLines: Gas[] = [];
    for (const lines of LINE_COUNTS) {
      const p = await fund();
      const r = registry.connect(p);
      await r.register("ipfs://bench", 840);
      await r.stake(STAKE / 2n);
      await r.setGpuLine(H100, 8, 80, tflopsX100(989.5));
      for (let k = 1; k < lines; k++) await r.setGpuLine(encodeBytes32String(`BENCH-${k}`), 1, 24, 100);
      await r.setOnline(true);
      if (Number((await registry.providerOf(p.address)).listedGpus) !== 8 + lines - 1)
        throw new Error("lines not listed");
      byLines.push(await operate(p, jobId++));
    }

    function growthTable(
      tableId: string,
      title: string,
      counts: number[],
      unit: string,
      series: Gas[],
      notes: string[],
    ): BenchTable {
      const columns = counts.map((n) => `${n.toLocaleString("en-US")} ${unit}`);
      const rows: BenchRow[] = Object.keys(series[0]).map((op) => {
        const values = series.map((g) => g[op]);
        const ratio = spread(values);
        return {
          label: op,
          cells: {
            ...Object.fromEntries(columns.map((c, i) => [c, values[i]])),
            "largest/smallest": Number(ratio.toFixed(4)),
            flat: ratio <= FLAT_BOUND ? "yes" : "NO",
          },
          flag: ratio <= FLAT_BOUND ? undefined : `not flat: > ${FLAT_BOUND}`,
        };
      });
      return { id: tableId, title, columns: [...columns, "largest/smallest", "flat"], rows, notes };
    }

    const notes: string[] = [
      "Setup first writes the registry's GRL balance (a direct transfer of 1 wei) and the token's totalBurned (a " +
        "1-wei burn), which a fresh deployment's first stake and first slash would otherwise pay for (17,100 each, " +
        "once per deployment): the ratios below are growth only.",
    ];
    const unequal = [...byLines, ...byProviders].flatMap((g) =>
      Object.keys(g).filter((op) => g[op] !== byProviders[1][op]),
    );
    if (unequal.length === 0) {
      notes.push("Every call costs exactly the same gas in every case (1-100 lines, 1-1,000 providers).");
    }
    return {
      status: "measured",
      notes,
      tables: [
        growthTable("lines", "Registry calls against the GPU lines the provider lists", LINE_COUNTS, "lines", byLines, [
          "Each case is a fresh provider with that many lines (H100 x8 plus 1-GPU synthetic models), 25,000 GRL staked.",
        ]),
        growthTable(
          "providers",
          "Registry calls against the providers registered (the measured provider is the N-th registered)",
          PROVIDER_COUNTS,
          "providers",
          byProviders,
          ["Fill providers are staked (1,000 GRL), list 4 H100 and are online; the measured one stakes 25,000 GRL."],
        ),
      ],
    };
  },
};

export default section;
