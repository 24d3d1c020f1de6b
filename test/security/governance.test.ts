import { expect } from "chai";
import { network } from "hardhat";

import GridleaseLocalModule from "../../ignition/modules/GridleaseLocal.ts";
import { DEFAULT_GOVERNANCE, DEFAULT_SETTLEMENT } from "../../ignition/modules/Gridlease.ts";
import {
  GridleaseGovernor__factory,
  GridleaseTimelock__factory,
  GridleaseToken__factory,
  Settlement__factory,
} from "../../types/ethers-contracts/index.ts";
import { GRL } from "../kit/protocol.ts";

const { ethers, ignition, networkHelpers } = await network.create();

/**
 * Votes bought after a proposal's snapshot are refused for a market-parameter proposal in
 * test/governance/proposal.test.ts (test_castVote_votesBoughtAfterSnapshotDoNotCount). This file runs the
 * same attack against a settlement parameter, the mint cap that bounds GRL inflation, and shows that
 * even a proposal that passes cannot move a parameter past its hard bound.
 */
const FOR = 1n;
const Canceled = 2n;
const Defeated = 3n;
const MAX_MINT_CAP = 10n ** 27n;

/** The Ignition deployment; `whale` holds 50M GRL (above the 4% quorum), `minnow` 1M (above the threshold), both delegated. */
async function governedFixture() {
  const [deployer, whale, minnow, buyer] = await ethers.getSigners();
  const deployed = await ignition.deploy(GridleaseLocalModule);
  const at = (c: { getAddress(): Promise<string> }) => c.getAddress();
  const token = GridleaseToken__factory.connect(await at(deployed.token), deployer);
  const settlement = Settlement__factory.connect(await at(deployed.settlement), deployer);
  const timelock = GridleaseTimelock__factory.connect(await at(deployed.timelock), deployer);
  const governor = GridleaseGovernor__factory.connect(await at(deployed.governor), deployer);
  await (await token.transfer(whale.address, 50_000_000n * GRL)).wait();
  await (await token.transfer(minnow.address, 1_000_000n * GRL)).wait();
  await (await token.connect(whale).delegate(whale.address)).wait();
  await (await token.connect(minnow).delegate(minnow.address)).wait();
  await networkHelpers.mine();
  return { deployer, whale, minnow, buyer, token, settlement, timelock, governor };
}

type Fixture = Awaited<ReturnType<typeof governedFixture>>;

async function mintCapProposal(f: Fixture, cap: bigint) {
  const targets = [await f.settlement.getAddress()];
  const values = [0n];
  const calldatas = [f.settlement.interface.encodeFunctionData("setMintCapPerEpoch", [cap])];
  const description = `Settlement: mint cap ${cap}`;
  const descriptionHash = ethers.id(description);
  const id = await f.governor.hashProposal(targets, values, calldatas, descriptionHash);
  return { targets, values, calldatas, description, descriptionHash, id };
}

describe("Security: governance capture of settlement parameters", function () {
  it("test_castVote_mintCapProposal_votesBoughtAfterSnapshotDoNotCount", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const p = await mintCapProposal(f, MAX_MINT_CAP);
    await (await f.governor.connect(f.minnow).propose(p.targets, p.values, p.calldatas, p.description)).wait();
    const snapshot = await f.governor.proposalSnapshot(p.id);
    await networkHelpers.time.increaseTo(snapshot + 1n);

    // The attacker acquires twice the quorum after the snapshot and delegates to itself.
    await (await f.token.connect(f.deployer).transfer(f.buyer.address, 100_000_000n * GRL)).wait();
    await (await f.token.connect(f.buyer).delegate(f.buyer.address)).wait();
    expect(await f.token.getVotes(f.buyer.address)).to.equal(100_000_000n * GRL);
    expect(await f.governor.getVotes(f.buyer.address, snapshot)).to.equal(0n);
    await expect(f.governor.connect(f.buyer).castVote(p.id, FOR))
      .to.emit(f.governor, "VoteCast")
      .withArgs(f.buyer.address, p.id, FOR, 0n, "");
    await (await f.governor.connect(f.minnow).castVote(p.id, FOR)).wait();

    await networkHelpers.time.increaseTo((await f.governor.proposalDeadline(p.id)) + 1n);
    expect(await f.governor.proposalVotes(p.id)).to.deep.equal([0n, 1_000_000n * GRL, 0n]);
    expect(await f.governor.state(p.id)).to.equal(Defeated);
    await expect(f.governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash)).to.be.revertedWithCustomError(
      f.governor,
      "GovernorUnexpectedProposalState",
    );
    expect(await f.settlement.mintCapPerEpoch()).to.equal(DEFAULT_SETTLEMENT.mintCapPerEpoch);
  });

  it("test_cancel_onlyTheProposerWhilePending", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const p = await mintCapProposal(f, MAX_MINT_CAP);
    await (await f.governor.connect(f.minnow).propose(p.targets, p.values, p.calldatas, p.description)).wait();
    await expect(f.governor.connect(f.buyer).cancel(p.targets, p.values, p.calldatas, p.descriptionHash))
      .to.be.revertedWithCustomError(f.governor, "GovernorUnableToCancel")
      .withArgs(p.id, f.buyer.address);
    await expect(f.governor.connect(f.minnow).cancel(p.targets, p.values, p.calldatas, p.descriptionHash))
      .to.emit(f.governor, "ProposalCanceled")
      .withArgs(p.id);
    expect(await f.governor.state(p.id)).to.equal(Canceled);
  });

  it("test_execute_passedProposalBeyondTheHardBound_reverts", async function () {
    const f = await networkHelpers.loadFixture(governedFixture);
    const p = await mintCapProposal(f, MAX_MINT_CAP + 1n);
    await (await f.governor.connect(f.whale).propose(p.targets, p.values, p.calldatas, p.description)).wait();
    await networkHelpers.time.increaseTo((await f.governor.proposalSnapshot(p.id)) + 1n);
    await (await f.governor.connect(f.whale).castVote(p.id, FOR)).wait();
    await networkHelpers.time.increaseTo((await f.governor.proposalDeadline(p.id)) + 1n);
    await (await f.governor.queue(p.targets, p.values, p.calldatas, p.descriptionHash)).wait();
    await networkHelpers.time.increase(DEFAULT_GOVERNANCE.timelockMinDelay);
    await expect(f.governor.execute(p.targets, p.values, p.calldatas, p.descriptionHash))
      .to.be.revertedWithCustomError(f.settlement, "SettlementParameterOutOfBounds")
      .withArgs(1n, MAX_MINT_CAP + 1n, 10n ** 18n, MAX_MINT_CAP);
    expect(await f.settlement.mintCapPerEpoch()).to.equal(DEFAULT_SETTLEMENT.mintCapPerEpoch);
    expect(await f.timelock.getMinDelay()).to.equal(DEFAULT_GOVERNANCE.timelockMinDelay);
  });
});
