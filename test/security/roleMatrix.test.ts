import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { BaseContract, FunctionFragment, Interface, ParamType } from "ethers";
import { network } from "hardhat";

import {
  GridleaseGovernor__factory,
  GridleaseTimelock__factory,
  GridleaseToken__factory,
  JobMarket__factory,
  ProviderRegistry__factory,
  Settlement__factory,
} from "../../types/ethers-contracts/index.ts";
import { createJob } from "../kit/jobs.ts";
import { DAY, deployMarket } from "../kit/market.ts";
import { ROLE } from "./helpers.ts";

const { ethers, networkHelpers } = await network.create();

type ContractName =
  | "JobMarket"
  | "ProviderRegistry"
  | "Settlement"
  | "GridleaseToken"
  | "GridleaseTimelock"
  | "GridleaseGovernor";

/**
 * How a restricted function refuses a stranger: an AccessControl role, or a check that the caller is a
 * specific contract (the timelock calling itself, the governor's executor).
 */
type Guard = { role: string } | { onlyCaller: "self" | "executor"; error: string };

/**
 * THE ROLE MATRIX: every restricted state-changing function of the protocol and what guards it. The test
 * "covers every non-view function" below fails when a contract gains a state-changing function that is
 * in neither this table nor PUBLIC_BY_DESIGN, so a new restricted function cannot ship without a row.
 * grantRole and revokeRole need the admin role of the role passed; the dummy role (bytes32 0) has
 * DEFAULT_ADMIN_ROLE as admin in every contract.
 */
const RESTRICTED: Record<ContractName, Record<string, Guard>> = {
  JobMarket: {
    resolveDispute: { role: ROLE.ARBITER },
    pause: { role: ROLE.GUARDIAN },
    unpause: { role: ROLE.GUARDIAN },
    setMarketParams: { role: ROLE.GOVERNANCE },
    setPaymentToken: { role: ROLE.GOVERNANCE },
    setTreasury: { role: ROLE.GOVERNANCE },
    setOracle: { role: ROLE.GOVERNANCE },
    grantRole: { role: ROLE.DEFAULT_ADMIN },
    revokeRole: { role: ROLE.DEFAULT_ADMIN },
  },
  ProviderRegistry: {
    lockIfEligible: { role: ROLE.MARKET },
    unlockCollateral: { role: ROLE.MARKET },
    unlockAndRecordSuccess: { role: ROLE.MARKET },
    slash: { role: ROLE.MARKET },
    leaseGpus: { role: ROLE.MARKET },
    releaseGpus: { role: ROLE.MARKET },
    recordFault: { role: ROLE.MARKET },
    setMinStakePerGpu: { role: ROLE.GOVERNANCE },
    setUnbondingPeriod: { role: ROLE.GOVERNANCE },
    setReputationReferenceValue: { role: ROLE.GOVERNANCE },
    grantRole: { role: ROLE.DEFAULT_ADMIN },
    revokeRole: { role: ROLE.DEFAULT_ADMIN },
  },
  Settlement: {
    spendCredits: { role: ROLE.MARKET },
    refundCredits: { role: ROLE.MARKET },
    accrueEarnings: { role: ROLE.MARKET },
    recordGpuSeconds: { role: ROLE.MARKET },
    setSpreadBps: { role: ROLE.GOVERNANCE },
    setMintCapPerEpoch: { role: ROLE.GOVERNANCE },
    setEmissionBudgetPerEpoch: { role: ROLE.GOVERNANCE },
    setOracle: { role: ROLE.GOVERNANCE },
    pause: { role: ROLE.GUARDIAN },
    unpause: { role: ROLE.GUARDIAN },
    grantRole: { role: ROLE.DEFAULT_ADMIN },
    revokeRole: { role: ROLE.DEFAULT_ADMIN },
  },
  GridleaseToken: {
    mint: { role: ROLE.MINTER },
    grantRole: { role: ROLE.DEFAULT_ADMIN },
    revokeRole: { role: ROLE.DEFAULT_ADMIN },
  },
  GridleaseTimelock: {
    schedule: { role: ROLE.PROPOSER },
    scheduleBatch: { role: ROLE.PROPOSER },
    cancel: { role: ROLE.CANCELLER },
    updateDelay: { onlyCaller: "self", error: "TimelockUnauthorizedCaller" },
    grantRole: { role: ROLE.DEFAULT_ADMIN },
    revokeRole: { role: ROLE.DEFAULT_ADMIN },
  },
  GridleaseGovernor: {
    relay: { onlyCaller: "executor", error: "GovernorOnlyExecutor" },
    setVotingDelay: { onlyCaller: "executor", error: "GovernorOnlyExecutor" },
    setVotingPeriod: { onlyCaller: "executor", error: "GovernorOnlyExecutor" },
    setProposalThreshold: { onlyCaller: "executor", error: "GovernorOnlyExecutor" },
    updateQuorumNumerator: { onlyCaller: "executor", error: "GovernorOnlyExecutor" },
    updateTimelock: { onlyCaller: "executor", error: "GovernorOnlyExecutor" },
  },
};

/** State-changing functions anyone may call, each with why that is safe. */
const PUBLIC_BY_DESIGN: Record<ContractName, Record<string, string>> = {
  JobMarket: {
    createJob: "anyone may rent; escrow comes from the caller",
    createJobWithPermit: "as createJob, with the caller's own permit",
    cancelJob: "renter of the job only (MarketNotRenter)",
    stopJob: "renter of the job only (MarketNotRenter)",
    dispute: "renter of the job only (MarketNotRenter)",
    commitBid: "any eligible provider; stake locked from the caller",
    revealBid: "only the caller's own commitment can match",
    acceptInstant: "any eligible provider; collateral locked from the caller",
    acceptInstantAndStart: "as acceptInstant; the caller starts the job it was just awarded",
    startJob: "winner of the job only (MarketNotProvider)",
    claim: "winner of the job only (MarketNotProvider)",
    deliver: "winner of the job only (MarketNotProvider)",
    award: "time-triggered: keepers advance the auction after the reveal window",
    awardAndStart: "the auction's best revealed bidder only (MarketNotProvider), after the reveal window",
    closeBid: "time-triggered: releases or forfeits a bid once the auction is over",
    settle: "time-triggered: after the challenge window",
    settleDisputeTimeout: "time-triggered: after the dispute timeout",
    failJob: "time-triggered: after the start or delivery deadline",
    withdraw: "the caller's own ledger balance only",
    renounceRole: "an account may only give up its own role (AccessControlBadConfirmation)",
  },
  ProviderRegistry: {
    register: "permissionless onboarding of the caller",
    updateProfile: "the caller's own profile",
    setGpuLine: "the caller's own inventory",
    removeGpuLine: "the caller's own inventory",
    setOnline: "the caller's own availability",
    stake: "the caller's own GRL",
    stakeWithPermit: "the caller's own GRL, with its permit",
    requestUnbond: "the caller's own free stake",
    cancelUnbond: "the caller's own unbonding stake",
    withdraw: "the caller's own unlocked stake",
    renounceRole: "an account may only give up its own role (AccessControlBadConfirmation)",
  },
  Settlement: {
    buyCredits: "burns the caller's own GRL",
    buyCreditsWithPermit: "burns the caller's own GRL, with its permit",
    withdrawEarnings: "the caller's own earnings",
    claimQueuedMint: "pays the ticket's recipient only, whoever calls",
    releaseQueuedMints: "mints only the epoch's unused cap into custody for the queue",
    claimEmission: "pays the provider its own share, capped at its fees' worth, whoever calls, after the epoch",
    renounceRole: "an account may only give up its own role (AccessControlBadConfirmation)",
  },
  GridleaseToken: {
    approve: "ERC20",
    transfer: "ERC20",
    transferFrom: "ERC20",
    burn: "ERC20Burnable: the caller's own tokens",
    burnFrom: "ERC20Burnable: within the caller's allowance",
    permit: "EIP-2612: the owner's signature",
    delegate: "ERC20Votes: the caller's own votes",
    delegateBySig: "ERC20Votes: the delegator's signature",
    renounceRole: "an account may only give up its own role (AccessControlBadConfirmation)",
  },
  GridleaseTimelock: {
    execute: "executor is the open role (address(0)): anyone runs an operation once its delay passed",
    executeBatch: "executor is the open role (address(0)): anyone runs an operation once its delay passed",
    renounceRole: "an account may only give up its own role (AccessControlBadConfirmation)",
    onERC721Received: "token receiver hook; returns its selector, changes nothing",
    onERC1155Received: "token receiver hook; returns its selector, changes nothing",
    onERC1155BatchReceived: "token receiver hook; returns its selector, changes nothing",
  },
  GridleaseGovernor: {
    propose: "needs the proposal threshold of votes",
    queue: "only a succeeded proposal",
    execute: "only a queued proposal past the timelock delay",
    cancel: "the proposer, while the proposal is pending",
    castVote: "weight is the voter's votes at the snapshot",
    castVoteWithReason: "weight is the voter's votes at the snapshot",
    castVoteWithReasonAndParams: "weight is the voter's votes at the snapshot",
    castVoteBySig: "weight is the signer's votes at the snapshot",
    castVoteWithReasonAndParamsBySig: "weight is the signer's votes at the snapshot",
    onERC721Received: "token receiver hook; refuses unless the governor is its own executor",
    onERC1155Received: "token receiver hook; refuses unless the governor is its own executor",
    onERC1155BatchReceived: "token receiver hook; refuses unless the governor is its own executor",
  },
};

const INTERFACES: Record<ContractName, Interface> = {
  JobMarket: JobMarket__factory.createInterface(),
  ProviderRegistry: ProviderRegistry__factory.createInterface(),
  Settlement: Settlement__factory.createInterface(),
  GridleaseToken: GridleaseToken__factory.createInterface(),
  GridleaseTimelock: GridleaseTimelock__factory.createInterface(),
  GridleaseGovernor: GridleaseGovernor__factory.createInterface(),
};

const NAMES = Object.keys(INTERFACES) as ContractName[];

/** The state-changing (neither view nor pure) functions of an ABI. */
function stateChanging(iface: Interface): FunctionFragment[] {
  const out: FunctionFragment[] = [];
  iface.forEachFunction((fn) => {
    if (fn.stateMutability !== "view" && fn.stateMutability !== "pure") out.push(fn);
  });
  return out;
}

/** A well-formed argument of any ABI type: the guard runs before any check of the arguments. */
function dummy(param: ParamType, filler: string): unknown {
  if (param.baseType === "tuple") return param.components!.map((c) => dummy(c, filler));
  if (param.baseType === "array") return [];
  if (param.baseType === "address") return filler;
  if (param.baseType === "bool") return false;
  if (param.baseType === "string") return "";
  if (param.baseType === "bytes") return "0x";
  if (param.baseType.startsWith("bytes")) return "0x" + "00".repeat(Number(param.baseType.slice(5)));
  if (param.baseType.startsWith("uint") || param.baseType.startsWith("int")) return 1n;
  throw new Error(`no dummy for ${param.type}`);
}

function dummyArgs(fn: FunctionFragment, filler: string): unknown[] {
  return fn.inputs.map((p) => dummy(p, filler));
}

/**
 * The market fixture plus governance deployed as Ignition does (timelock with an open executor and the
 * governor as proposer and canceller); `holder` holds no role until a control test grants one.
 */
async function fixture() {
  const f = await deployMarket(ethers);
  const signers = await ethers.getSigners();
  const holder = signers[10];
  const timelock = await ethers.deployContract("GridleaseTimelock", [2n * DAY, [], [ethers.ZeroAddress], f.admin]);
  const governor = await ethers.deployContract("GridleaseGovernor", [
    await f.token.getAddress(),
    await timelock.getAddress(),
    DAY,
    7n * DAY,
    100_000n * 10n ** 18n,
    4n,
  ]);
  await (await timelock.connect(f.admin).grantRole(ROLE.PROPOSER, await governor.getAddress())).wait();
  await (await timelock.connect(f.admin).grantRole(ROLE.CANCELLER, await governor.getAddress())).wait();
  const jobId = await createJob(f);
  const contracts: Record<ContractName, BaseContract> = {
    JobMarket: f.market,
    ProviderRegistry: f.registry,
    Settlement: f.settlement,
    GridleaseToken: f.token,
    GridleaseTimelock: timelock,
    GridleaseGovernor: governor,
  };
  return { ...f, holder, timelock, governor, contracts, jobId };
}

/** Runs `fn` as `from` in an eth_call and returns the revert data ("0x" when it did not revert). */
async function revertData(
  contract: BaseContract,
  fn: FunctionFragment,
  from: string,
  args: unknown[],
): Promise<string> {
  const data = contract.interface.encodeFunctionData(fn, args);
  try {
    await ethers.provider.call({ to: await contract.getAddress(), from, data });
    return "0x";
  } catch (e) {
    const err = e as { data?: string };
    if (typeof err.data !== "string") throw e;
    return err.data;
  }
}

describe("Security: role matrix (every restricted function, from the ABIs)", function () {
  describe("completeness", function () {
    for (const name of NAMES) {
      it(`test_roleMatrix_${name}_coversEveryStateChangingFunction`, async function () {
        const fns = stateChanging(INTERFACES[name]).map((fn) => fn.name);
        // Overloads would share a row; none exist, and a new one must be looked at.
        expect(new Set(fns).size, `${name} has overloaded functions`).to.equal(fns.length);
        const restricted = Object.keys(RESTRICTED[name]);
        const open = Object.keys(PUBLIC_BY_DESIGN[name]);
        expect(
          restricted.filter((n) => open.includes(n)),
          "listed twice",
        ).to.deep.equal([]);
        const unlisted = fns.filter((n) => !restricted.includes(n) && !open.includes(n));
        expect(unlisted, `${name}: state-changing functions with no row`).to.deep.equal([]);
        const stale = [...restricted, ...open].filter((n) => !fns.includes(n));
        expect(stale, `${name}: rows for functions that no longer exist`).to.deep.equal([]);
      });
    }

    it("test_roleMatrix_roleHashesMatchTheContracts", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      expect(await f.market.ARBITER_ROLE()).to.equal(ROLE.ARBITER);
      expect(await f.market.GUARDIAN_ROLE()).to.equal(ROLE.GUARDIAN);
      expect(await f.market.GOVERNANCE_ROLE()).to.equal(ROLE.GOVERNANCE);
      expect(await f.registry.MARKET_ROLE()).to.equal(ROLE.MARKET);
      expect(await f.registry.GOVERNANCE_ROLE()).to.equal(ROLE.GOVERNANCE);
      expect(await f.settlement.MARKET_ROLE()).to.equal(ROLE.MARKET);
      expect(await f.settlement.GOVERNANCE_ROLE()).to.equal(ROLE.GOVERNANCE);
      expect(await f.settlement.GUARDIAN_ROLE()).to.equal(ROLE.GUARDIAN);
      expect(await f.token.MINTER_ROLE()).to.equal(ROLE.MINTER);
      expect(await f.timelock.PROPOSER_ROLE()).to.equal(ROLE.PROPOSER);
      expect(await f.timelock.CANCELLER_ROLE()).to.equal(ROLE.CANCELLER);
      expect(await f.timelock.EXECUTOR_ROLE()).to.equal(ROLE.EXECUTOR);
      expect(await f.market.DEFAULT_ADMIN_ROLE()).to.equal(ROLE.DEFAULT_ADMIN);
      for (const name of [
        "JobMarket",
        "ProviderRegistry",
        "Settlement",
        "GridleaseToken",
        "GridleaseTimelock",
      ] as const) {
        const c = f.contracts[name] as unknown as { getRoleAdmin(role: string): Promise<string> };
        expect(await c.getRoleAdmin(ROLE.DEFAULT_ADMIN), name).to.equal(ROLE.DEFAULT_ADMIN);
      }
    });
  });

  for (const name of NAMES) {
    describe(name, function () {
      for (const [fnName, guard] of Object.entries(RESTRICTED[name])) {
        it(`test_${fnName}_revertsForOutsider`, async function () {
          const f = await networkHelpers.loadFixture(fixture);
          const contract = f.contracts[name];
          const fn = INTERFACES[name].getFunction(fnName)!;
          const call = (contract.connect(f.outsider) as BaseContract).getFunction(fn.format("sighash"));
          const args = dummyArgs(fn, f.outsider.address);
          if ("role" in guard) {
            await expect(call(...args))
              .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
              .withArgs(f.outsider.address, guard.role);
          } else {
            await expect(call(...args))
              .to.be.revertedWithCustomError(contract, guard.error)
              .withArgs(f.outsider.address);
          }
        });

        // Control: the same call from an account with the right passes the guard, so the refusal above
        // is the guard's and not the dummy arguments'.
        it(`test_${fnName}_passesTheGuardForItsHolder`, async function () {
          const f = await networkHelpers.loadFixture(fixture);
          const contract = f.contracts[name];
          const fn = INTERFACES[name].getFunction(fnName)!;
          let from: string;
          if ("role" in guard) {
            from = f.holder.address;
            const ac = contract.connect(f.admin) as unknown as {
              grantRole(role: string, account: string): Promise<{ wait(): Promise<unknown> }>;
            };
            await (await ac.grantRole(guard.role, from)).wait();
          } else {
            // The timelock calls itself (updateDelay), and it is the governor's executor.
            from = await f.timelock.getAddress();
          }
          const data = await revertData(contract, fn, from, dummyArgs(fn, f.outsider.address));
          const refusal =
            "role" in guard
              ? contract.interface.encodeErrorResult("AccessControlUnauthorizedAccount", [from, guard.role])
              : contract.interface.encodeErrorResult(guard.error, [from]);
          expect(data).to.not.equal(refusal);
          expect(data.slice(0, 10)).to.not.equal(refusal.slice(0, 10));
        });
      }
    });
  }

  describe("party-gated market functions refuse a stranger", function () {
    for (const fnName of ["cancelJob", "stopJob", "dispute"] as const) {
      it(`test_${fnName}_revertsForOutsider_notRenter`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const fn = INTERFACES.JobMarket.getFunction(fnName)!;
        const args = dummyArgs(fn, f.outsider.address);
        args[0] = f.jobId;
        await expect(f.market.connect(f.outsider).getFunction(fn.format("sighash"))(...args))
          .to.be.revertedWithCustomError(f.market, "MarketNotRenter")
          .withArgs(f.jobId, f.outsider.address);
      });
    }

    for (const fnName of ["startJob", "claim", "deliver"] as const) {
      it(`test_${fnName}_revertsForOutsider_notProvider`, async function () {
        const f = await networkHelpers.loadFixture(fixture);
        const fn = INTERFACES.JobMarket.getFunction(fnName)!;
        const args = dummyArgs(fn, f.outsider.address);
        args[0] = f.jobId;
        await expect(f.market.connect(f.outsider).getFunction(fn.format("sighash"))(...args))
          .to.be.revertedWithCustomError(f.market, "MarketNotProvider")
          .withArgs(f.jobId, f.outsider.address);
      });
    }

    it("test_renounceRole_cannotRenounceSomeoneElses", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      for (const name of [
        "JobMarket",
        "ProviderRegistry",
        "Settlement",
        "GridleaseToken",
        "GridleaseTimelock",
      ] as const) {
        const c = f.contracts[name];
        await expect(
          (c.connect(f.outsider) as BaseContract).getFunction("renounceRole")(ROLE.DEFAULT_ADMIN, f.admin.address),
        ).to.be.revertedWithCustomError(c, "AccessControlBadConfirmation");
      }
    });
  });

  describe("who holds what in the fixture", function () {
    it("test_outsider_holdsNoRoleAnywhere", async function () {
      const f = await networkHelpers.loadFixture(fixture);
      const signer: HardhatEthersSigner = f.outsider;
      for (const name of [
        "JobMarket",
        "ProviderRegistry",
        "Settlement",
        "GridleaseToken",
        "GridleaseTimelock",
      ] as const) {
        const c = f.contracts[name] as unknown as { hasRole(role: string, account: string): Promise<boolean> };
        for (const role of Object.values(ROLE)) {
          expect(await c.hasRole(role, signer.address), `${name} ${role}`).to.equal(false);
        }
      }
    });
  });
});
