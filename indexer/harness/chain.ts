// A local Hardhat node for the indexer tests and the indexer benchmark: started on its own port, deployed
// with Ignition, driven by locally signed transactions at explicit block timestamps (so a run is reproducible to the second).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";

import { HDNodeWallet, JsonRpcProvider, Mnemonic, type BaseContract, type Wallet } from "ethers";

import { connectProtocol, type Protocol } from "../../sdk/contracts.ts";
import { loadDeployedAddresses } from "../../sdk/node.ts";
import { PROJECT_ROOT } from "./paths.ts";
import { portIsFree } from "../../scripts/start/ports.ts";

const HARDHAT = join(PROJECT_ROOT, "node_modules", ".bin", "hardhat");
const MNEMONIC = "test test test test test test test test test test test junk";
const CHAIN_ID = 31337n;
/** Child processes run on this Node (Hardhat needs 22), whatever `node` the shell's PATH finds first. */
export const CHILD_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
};

/** A JSON-RPC error or a reverted transaction, with the decoded custom error when there is one. */
export class TxError extends Error {}

export class LocalChain {
  readonly rpcUrl: string;
  readonly provider: JsonRpcProvider;
  readonly wallets: HDNodeWallet[];
  private node: ChildProcess | undefined;
  private readonly nonces = new Map<string, number>();
  /** Timestamp of the latest block this chain object produced or saw. */
  lastTimestamp = 0n;
  transactions = 0;

  constructor(readonly port: number) {
    this.rpcUrl = `http://127.0.0.1:${port}`;
    this.provider = new JsonRpcProvider(this.rpcUrl, Number(CHAIN_ID), { staticNetwork: true, batchMaxCount: 1 });
    const mnemonic = Mnemonic.fromPhrase(MNEMONIC);
    this.wallets = Array.from({ length: 20 }, (_, i) =>
      HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i}`).connect(this.provider),
    );
  }

  /** Starts `hardhat node` and waits until it answers. Refuses a port already taken (it would answer for another node). */
  async start(): Promise<void> {
    if (!(await portIsFree(this.port))) {
      throw new Error(
        `port ${this.port} is in use (a node left from an earlier run?): stop that process or pick another port`,
      );
    }
    this.node = spawn(
      HARDHAT, // The "default" network lifts the contract size limit, so the unoptimised test build deploys.
      ["node", "--network", "default", "--hostname", "127.0.0.1", "--port", String(this.port)],
      {
        cwd: PROJECT_ROOT,
        env: CHILD_ENV,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    this.node.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // A node must not outlive its test run, whatever ends it.
    process.once("exit", () => this.stop());
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.node.exitCode !== null) throw new Error(`hardhat node exited: ${stderr}`);
      try {
        await this.provider.send("eth_chainId", []);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw new Error(`hardhat node did not answer on ${this.rpcUrl}`);
  }

  stop(): void {
    this.node?.kill("SIGKILL");
    this.node = undefined;
  }

  /**
   * Deploys GridleaseLocal with Ignition (the module and parameters of `npm start`) from the default build
   * profile, which `npm test` has just compiled: the optimised profile would recompile everything (minutes
   * with solc-js), and the indexer only needs the same events at the same addresses. `overrides` replace
   * some of the module's parameters (bigints written as Ignition reads them, e.g. "86400n").
   */
  deploy(
    deploymentId: string,
    overrides: Record<string, string> = {},
    buildProfile: "default" | "production" = "default",
  ): { folder: string; protocol: Protocol } {
    let parameters = join(PROJECT_ROOT, "ignition", "parameters", "localhost.json");
    if (Object.keys(overrides).length > 0) {
      const base = JSON.parse(readFileSync(parameters, "utf8")) as { GridleaseLocal: Record<string, string> };
      parameters = join(tmpdir(), `gridlease-${deploymentId}-${process.pid}.json`);
      writeFileSync(parameters, JSON.stringify({ GridleaseLocal: { ...base.GridleaseLocal, ...overrides } }));
    }
    const result = spawnSync(
      HARDHAT,
      [
        "ignition",
        "deploy",
        "ignition/modules/GridleaseLocal.ts",
        "--build-profile",
        buildProfile,
        "--network",
        "localhost",
        "--parameters",
        parameters,
        "--deployment-id",
        deploymentId,
        "--reset",
      ],
      {
        cwd: PROJECT_ROOT,
        env: { ...CHILD_ENV, GRIDLEASE_RPC_URL: this.rpcUrl, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1" },
        encoding: "utf8",
      },
    );
    if (result.status !== 0) throw new Error(`ignition deploy failed:\n${result.stdout}\n${result.stderr}`);
    const folder = join(PROJECT_ROOT, "ignition", "deployments", deploymentId);
    const protocol = connectProtocol(CHAIN_ID, loadDeployedAddresses(CHAIN_ID, { folder }), this.provider);
    return { folder, protocol };
  }

  async syncClock(): Promise<void> {
    const block = await this.provider.getBlock("latest");
    this.lastTimestamp = BigInt(block!.timestamp);
  }

  /** The timestamp the next block gets: `at`, or one second after the latest block if `at` is not later. */
  private nextTimestamp(at: bigint): bigint {
    return at > this.lastTimestamp ? at : this.lastTimestamp + 1n;
  }

  /** Sends `method(...args)` of `contract` from `from` in a block at `at` (or just after the latest). */
  async send(
    from: Wallet | HDNodeWallet,
    contract: BaseContract,
    method: string,
    args: unknown[],
    at: bigint = 0n,
  ): Promise<bigint> {
    const timestamp = this.nextTimestamp(at);
    const data = contract.interface.encodeFunctionData(method, args);
    const to = await contract.getAddress();
    const nonce = this.nonces.get(from.address) ?? (await this.provider.getTransactionCount(from.address, "pending"));
    const raw = await from.signTransaction({
      to,
      data,
      nonce,
      chainId: CHAIN_ID,
      type: 2,
      gasLimit: 6_000_000n,
      maxFeePerGas: 50_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
    });
    await this.provider.send("evm_setNextBlockTimestamp", [`0x${timestamp.toString(16)}`]);
    const hash = (await this.provider.send("eth_sendRawTransaction", [raw])) as string;
    this.nonces.set(from.address, nonce + 1);
    const receipt = (await this.provider.send("eth_getTransactionReceipt", [hash])) as {
      status: string;
      blockNumber: string;
    } | null;
    this.lastTimestamp = timestamp;
    this.transactions++;
    if (receipt === null) throw new TxError(`${method} was not mined (automine off?)`);
    if (receipt.status !== "0x1") {
      throw new TxError(
        `${method}(${args.map(String).join(", ")}) reverted: ${await this.revertReason(from, to, data, receipt.blockNumber, contract)}`,
      );
    }
    return timestamp;
  }

  private async revertReason(
    from: { address: string },
    to: string,
    data: string,
    blockNumber: string,
    contract: BaseContract,
  ): Promise<string> {
    try {
      const parent = `0x${(BigInt(blockNumber) - 1n).toString(16)}`;
      await this.provider.send("eth_call", [{ from: from.address, to, data }, parent]);
      return "unknown (the call succeeds before the block)";
    } catch (error) {
      const revert =
        (error as { data?: string; info?: { error?: { data?: string } } }).info?.error?.data ??
        (error as { data?: string }).data;
      if (typeof revert === "string") {
        const parsed = contract.interface.parseError(revert);
        if (parsed !== null) return `${parsed.name}(${parsed.args.map(String).join(", ")})`;
      }
      return (error as Error).message;
    }
  }

  /** Mines an empty block at `at`. */
  async mine(at: bigint): Promise<bigint> {
    const timestamp = this.nextTimestamp(at);
    await this.provider.send("evm_mine", [`0x${timestamp.toString(16)}`]);
    this.lastTimestamp = timestamp;
    return timestamp;
  }

  /**
   * The chain's latest block number, read afresh. Not `provider.getBlockNumber()`: ethers answers repeated
   * calls within 250 ms from its request cache, so a read just after a transaction could return the block
   * before it.
   */
  async blockNumber(): Promise<number> {
    return Number(BigInt((await this.provider.send("eth_blockNumber", [])) as string));
  }

  async snapshot(): Promise<string> {
    return (await this.provider.send("evm_snapshot", [])) as string;
  }

  /** Reverts to a snapshot; nonces and the clock are re-read from the chain. */
  async revert(id: string): Promise<void> {
    const ok = (await this.provider.send("evm_revert", [id])) as boolean;
    if (!ok) throw new Error(`evm_revert(${id}) failed`);
    this.nonces.clear();
    await this.syncClock();
  }
}
