import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import { network } from "hardhat";

import GridleaseLocalModule from "../../ignition/modules/GridleaseLocal.ts";
import {
  DEFAULT_GOVERNANCE,
  DEFAULT_MARKET_PARAMS,
  DEFAULT_SETTLEMENT,
  ROLES,
} from "../../ignition/modules/Gridlease.ts";
import {
  GridleaseGovernor__factory,
  GridleaseTimelock__factory,
  GridleaseToken__factory,
  JobMarket__factory,
  ProviderRegistry__factory,
  Settlement__factory,
} from "../../types/ethers-contracts/index.ts";
import { GRL } from "../kit/protocol.ts";

const { ethers, ignition, networkHelpers } = await network.create();

/** Governor.ProposalState values. */
const ProposalState = {
  Pending: 0n,
  Active: 1n,
  Canceled: 2n,
  Defeated: 3n,
  Succeeded: 4n,
  Queued: 5n,
  Expired: 6n,
  Executed: 7n,
} as const;
const AGAINST = 0n;
const FOR = 1n;

const SUPPLY = 1_000_000_000n * GRL;
/** 4% of the supply. */
const QUORUM = SUPPLY / 25n;

/**
 * The protocol deployed by Ignition with default governance settings; the deployer (treasury, all GRL)
 * has given `whale` 50M GRL (above quorum), `minnow` 1M (above the proposal threshold, below quorum),
 * and both delegated to themselves one second ago. `buyer` has nothing yet.
 */
async function governedFixture() {
  const [deployer, whale, minnow, buyer, outsider] = await ethers.getSigners();
  const deployed = await ignition.deploy(GridleaseLocalModule);
  const at = (c: { getAddress(): Promise<string> }) => c.getAddress();
  const token = GridleaseToken__factory.connect(await at(deployed.token), deployer);
  const registry = ProviderRegistry__factory.connect(await at(deployed.registry), deployer);
  const market = JobMarket__factory.connect(await at(deployed.market), deployer);
  const settlement = Settlement__factory.connect(await at(deployed.settlement), deployer);
  const timelock = GridleaseTimelock__factory.connect(await at(deployed.timelock), deployer);
  const governor = GridleaseGovernor__factory.connect(await at(deployed.governor), deployer);
  await token.transfer(whale.address, 50_000_000n * GRL);
  await token.transfer(minnow.address, 1_000_000n * GRL);
  await token.connect(whale).delegate(whale.address);
  await token.connect(minnow).delegate(minnow.address);
  await networkHelpers.mine();
  return { deployer, whale, minnow, buyer, outsider, token, registry, market, settlement, timelock, governor };
}

type Fixture = Awaited<ReturnType<typeof governedFixture>>;

interface Proposal {
  targets: string[];
  values: bigint[];
  calldatas: string[];
  description: string;
  descriptionHash: string;
  id: bigint;
}

const NEW_PARAMS = { ...DEFAULT_MARKET_PARAMS, feeBps: 100n, maxBids: 16n };

/** A proposal to set NEW_PARAMS on the market (a new description per `tag`). */
async function marketParamsProposal(f: Fixture, tag = "fee 1%, 16 bids"): Promise<Proposal> {
  const targets = [await f.market.getAddress()];
  const values = [0n];
  const calldatas = [f.market.interface.encodeFunctionData("setMarketParams", [NEW_PARAMS])];
  const description = `Market parameters: ${tag}`;
  const descriptionHash = ethers.id(description);
  const id = await f.governor.hashProposal(targets, values, calldatas, descriptionHash);
  return { targets, values, calldatas, description, descriptionHash, id };
}

async function propose(f: Fixture, proposer: HardhatEthersSigner, p: Proposal): Promise<void> {
  await (await f.governor.connect(proposer).propose(p.targets, p.values, p.calldatas, p.description)).wait();
}

/** Moves time past the proposal's snapshot, into its voting period. */
async function toVoting(f: Fixture, id: bigint): Promise<void> {
  await networkHelpers.time.increaseTo((await f.governor.proposalSnapshot(id)) + 1n);
}

/** Moves time past the proposal's voting deadline. */
async function toVoteEnd(f: Fixture, id: bigint): Promise<void> {
  await networkHelpers.time.increaseTo((await f.governor.proposalDeadline(id)) + 1n);
}

describe("Governance: proposals", function () {
  it("test_propose_queue_execute_changesMarketParams", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const p = await marketParamsProposal(f);
    const paramsIdBefore = await f.market.currentParamsId();

    await expect(f.governor.connect(f.whale).propose(p.targets, p.values, p.calldatas, p.description)).to.emit(
      f.governor,
      "ProposalCreated",
    );
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Pending);
    const snapshot = await f.governor.proposalSnapshot(p.id);
    expect(snapshot).to.equal(BigInt(await networkHelpers.time.latest()) + DEFAULT_GOVERNANCE.votingDelay);

    await toVoting(f, p.id);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Active);
    await expect(f.governor.connect(f.whale).castVote(p.id, FOR))
      .to.emit(f.governor, "VoteCast")
      .withArgs(f.whale.address, p.id, FOR, 50_000_000n * GRL, "");
    await toVoteEnd(f, p.id);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Succeeded);

    // Not executable before it is queued, nor before the timelock delay has passed.
    await expect(f.governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash)).to.be.revertedWithCustomError(
      f.governor,
      "GovernorUnexpectedProposalState",
    );
    await expect(f.governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash)).to.emit(
      f.governor,
      "ProposalQueued",
    );
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Queued);
    const eta = await f.governor.proposalEta(p.id);
    expect(eta).to.equal(BigInt(await networkHelpers.time.latest()) + DEFAULT_GOVERNANCE.timelockMinDelay);
    await expect(f.governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash)).to.be.revertedWithCustomError(
      f.timelock,
      "TimelockUnexpectedOperationState",
    );

    await networkHelpers.time.increaseTo(eta);
    // Anyone may execute: here an account with no GRL at all.
    await expect(f.governor.connect(f.outsider).execute(p.targets, p.values, p.calldatas, p.descriptionHash))
      .to.emit(f.market, "MarketParamsSet")
      .and.to.emit(f.governor, "ProposalExecuted")
      .withArgs(p.id);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Executed);
    expect(await f.market.currentParamsId()).to.equal(paramsIdBefore + 1n);
    const params = await f.market.marketParams(paramsIdBefore + 1n);
    expect(params.feeBps).to.equal(100n);
    expect(params.maxBids).to.equal(16n);
  });

  it("test_propose_queue_execute_changesSettlementSpread", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const newSpread = 100n;
    const targets = [await f.settlement.getAddress()];
    const values = [0n];
    const calldatas = [f.settlement.interface.encodeFunctionData("setSpreadBps", [newSpread])];
    const description = "Settlement spread: 1%";
    const descriptionHash = ethers.id(description);
    const id = await f.governor.hashProposal(targets, values, calldatas, descriptionHash);

    await expect(f.governor.connect(f.whale).propose(targets, values, calldatas, description)).to.emit(
      f.governor,
      "ProposalCreated",
    );
    expect(await f.governor.state(id)).to.equal(ProposalState.Pending);
    await toVoting(f, id);
    expect(await f.governor.state(id)).to.equal(ProposalState.Active);
    await expect(f.governor.connect(f.whale).castVote(id, FOR))
      .to.emit(f.governor, "VoteCast")
      .withArgs(f.whale.address, id, FOR, 50_000_000n * GRL, "");
    await toVoteEnd(f, id);
    expect(await f.governor.state(id)).to.equal(ProposalState.Succeeded);

    await expect(f.governor.queue(targets, values, calldatas, descriptionHash)).to.emit(f.governor, "ProposalQueued");
    expect(await f.governor.state(id)).to.equal(ProposalState.Queued);
    const eta = await f.governor.proposalEta(id);
    expect(eta).to.equal(BigInt(await networkHelpers.time.latest()) + DEFAULT_GOVERNANCE.timelockMinDelay);
    await expect(f.governor.execute(targets, values, calldatas, descriptionHash)).to.be.revertedWithCustomError(
      f.timelock,
      "TimelockUnexpectedOperationState",
    );
    // Still the deployment's spread until the timelock executes.
    expect(await f.settlement.spreadBps()).to.equal(DEFAULT_SETTLEMENT.spreadBps);

    await networkHelpers.time.increaseTo(eta);
    await expect(f.governor.connect(f.outsider).execute(targets, values, calldatas, descriptionHash))
      .to.emit(f.settlement, "SpreadSet")
      .withArgs(DEFAULT_SETTLEMENT.spreadBps, newSpread)
      .and.to.emit(f.governor, "ProposalExecuted")
      .withArgs(id);
    expect(await f.governor.state(id)).to.equal(ProposalState.Executed);
    expect(await f.settlement.spreadBps()).to.equal(newSpread);
  });

  it("test_execute_changesRegistryMinStake", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const targets = [await f.registry.getAddress()];
    const calldatas = [f.registry.interface.encodeFunctionData("setMinStakePerGpu", [300n * GRL])];
    const description = "Min stake 300 GRL per GPU";
    await f.governor.connect(f.whale).propose(targets, [0n], calldatas, description);
    const id = await f.governor.hashProposal(targets, [0n], calldatas, ethers.id(description));
    await toVoting(f, id);
    await f.governor.connect(f.whale).castVote(id, FOR);
    await toVoteEnd(f, id);
    await f.governor.queue(targets, [0n], calldatas, ethers.id(description));
    await networkHelpers.time.increaseTo(await f.governor.proposalEta(id));
    await expect(f.governor.execute(targets, [0n], calldatas, ethers.id(description))).not.to.revert(ethers);
    expect(await f.registry.minStakePerGpu()).to.equal(300n * GRL);
  });

  it("test_execute_timelockCanAppointANewGuardian", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const targets = [await f.market.getAddress(), await f.market.getAddress()];
    const calldatas = [
      f.market.interface.encodeFunctionData("revokeRole", [ROLES.GUARDIAN_ROLE, f.deployer.address]),
      f.market.interface.encodeFunctionData("grantRole", [ROLES.GUARDIAN_ROLE, f.outsider.address]),
    ];
    const description = "Replace the guardian";
    await f.governor.connect(f.whale).propose(targets, [0n, 0n], calldatas, description);
    const id = await f.governor.hashProposal(targets, [0n, 0n], calldatas, ethers.id(description));
    await toVoting(f, id);
    await f.governor.connect(f.whale).castVote(id, FOR);
    await toVoteEnd(f, id);
    await f.governor.queue(targets, [0n, 0n], calldatas, ethers.id(description));
    await networkHelpers.time.increaseTo(await f.governor.proposalEta(id));
    await f.governor.execute(targets, [0n, 0n], calldatas, ethers.id(description));
    expect(await f.market.hasRole(ROLES.GUARDIAN_ROLE, f.deployer.address)).to.equal(false);
    expect(await f.market.hasRole(ROLES.GUARDIAN_ROLE, f.outsider.address)).to.equal(true);
  });

  it("test_propose_revertsBelowThreshold", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const p = await marketParamsProposal(f);
    // The deployer holds most GRL but never delegated: it has no votes.
    await expect(f.governor.connect(f.deployer).propose(p.targets, p.values, p.calldatas, p.description))
      .to.be.revertedWithCustomError(f.governor, "GovernorInsufficientProposerVotes")
      .withArgs(f.deployer.address, 0n, DEFAULT_GOVERNANCE.proposalThreshold);
  });

  it("test_state_defeatedWithoutQuorum", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const p = await marketParamsProposal(f);
    await propose(f, f.minnow, p);
    await toVoting(f, p.id);
    await f.governor.connect(f.minnow).castVote(p.id, FOR);
    expect(await f.governor.quorum(await f.governor.proposalSnapshot(p.id))).to.equal(QUORUM);
    await toVoteEnd(f, p.id);
    const [against, forVotes] = await f.governor.proposalVotes(p.id);
    expect([against, forVotes]).to.deep.equal([0n, 1_000_000n * GRL]);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Defeated);
    await expect(f.governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash)).to.be.revertedWithCustomError(
      f.governor,
      "GovernorUnexpectedProposalState",
    );
  });

  it("test_state_defeatedWhenAgainstWins", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const p = await marketParamsProposal(f);
    await propose(f, f.minnow, p);
    await toVoting(f, p.id);
    await f.governor.connect(f.minnow).castVote(p.id, FOR);
    await f.governor.connect(f.whale).castVote(p.id, AGAINST);
    await toVoteEnd(f, p.id);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Defeated);
  });

  it("test_castVote_votesBoughtAfterSnapshotDoNotCount", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const p = await marketParamsProposal(f);
    await propose(f, f.minnow, p);
    await toVoting(f, p.id);
    const snapshot = await f.governor.proposalSnapshot(p.id);

    // After the snapshot, the buyer acquires more than the quorum and delegates to itself.
    await f.token.connect(f.deployer).transfer(f.buyer.address, 100_000_000n * GRL);
    await f.token.connect(f.buyer).delegate(f.buyer.address);
    expect(await f.token.getVotes(f.buyer.address)).to.equal(100_000_000n * GRL);
    expect(await f.governor.getVotes(f.buyer.address, snapshot)).to.equal(0n);

    await expect(f.governor.connect(f.buyer).castVote(p.id, FOR))
      .to.emit(f.governor, "VoteCast")
      .withArgs(f.buyer.address, p.id, FOR, 0n, "");
    await f.governor.connect(f.minnow).castVote(p.id, FOR);
    await toVoteEnd(f, p.id);
    const [, forVotes] = await f.governor.proposalVotes(p.id);
    expect(forVotes).to.equal(1_000_000n * GRL);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Defeated);
  });

  it("test_castVote_votesSoldAfterSnapshotStillCount", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const p = await marketParamsProposal(f);
    await propose(f, f.whale, p);
    await toVoting(f, p.id);
    // The whale sells everything after the snapshot; its weight at the snapshot still counts once.
    await f.token.connect(f.whale).transfer(f.buyer.address, 50_000_000n * GRL);
    await f.token.connect(f.buyer).delegate(f.buyer.address);
    await f.governor.connect(f.whale).castVote(p.id, FOR);
    await f.governor.connect(f.buyer).castVote(p.id, AGAINST);
    await toVoteEnd(f, p.id);
    expect(await f.governor.proposalVotes(p.id)).to.deep.equal([0n, 50_000_000n * GRL, 0n]);
    expect(await f.governor.state(p.id)).to.equal(ProposalState.Succeeded);
  });

  it("test_castVote_revertsTwice", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const p = await marketParamsProposal(f);
    await propose(f, f.whale, p);
    await toVoting(f, p.id);
    await f.governor.connect(f.whale).castVote(p.id, FOR);
    await expect(f.governor.connect(f.whale).castVote(p.id, FOR))
      .to.be.revertedWithCustomError(f.governor, "GovernorAlreadyCastVote")
      .withArgs(f.whale.address);
  });

  it("test_castVote_revertsBeforeSnapshot", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const p = await marketParamsProposal(f);
    await propose(f, f.whale, p);
    await expect(f.governor.connect(f.whale).castVote(p.id, FOR)).to.be.revertedWithCustomError(
      f.governor,
      "GovernorUnexpectedProposalState",
    );
  });

  it("test_timelock_rejectsDirectScheduling", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const p = await marketParamsProposal(f);
    await expect(
      f.timelock
        .connect(f.whale)
        .schedule(
          p.targets[0],
          0n,
          p.calldatas[0],
          ethers.ZeroHash,
          ethers.ZeroHash,
          DEFAULT_GOVERNANCE.timelockMinDelay,
        ),
    )
      .to.be.revertedWithCustomError(f.timelock, "AccessControlUnauthorizedAccount")
      .withArgs(f.whale.address, ROLES.PROPOSER_ROLE);
  });

  it("test_governor_onlyGovernanceChangesItsSettings", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    await expect(f.governor.connect(f.whale).setVotingPeriod(1n))
      .to.be.revertedWithCustomError(f.governor, "GovernorOnlyExecutor")
      .withArgs(f.whale.address);
  });
});
