// Test support for the node's end-to-end test: a Hardhat node of its own on a free port with the protocol
// deployed by Ignition (GridleaseLocal, the way scripts/start.ts deploys it, from the default build already
// in artifacts/), a funded provider registered with one GPU, and a funded renter.
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

import { encodeBytes32String, JsonRpcProvider, NonceManager, parseEther, parseUnits, Wallet } from "ethers";

import { connectProtocol, type Protocol } from "../../sdk/contracts.ts";
import { loadDeployedAddresses } from "../../sdk/node.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const HARDHAT = join(ROOT, "node_modules", ".bin", "hardhat");
/** Hardhat's public test keys (funded with ETH on every Hardhat node): deployer, provider, renter, stranger. LOCAL ONLY. */
const KEYS = {
  deployer: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  provider: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  renter: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  stranger: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
} as const;

/** A running local chain with the protocol deployed. */
export interface LocalChain {
  rpcUrl: string;
  provider: JsonRpcProvider;
  chainId: bigint;
  /** The protocol connected to each test account's signer. */
  as: Record<keyof typeof KEYS, Protocol>;
  wallets: Record<keyof typeof KEYS, Wallet>;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the system picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The environment of Hardhat children: ours without Hardhat's, Gridlease's and vitest's own variables
 * (hardhat.config.ts leaves its plugins, Ignition included, out when it sees VITEST).
 */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(HARDHAT_|GRIDLEASE_|VITEST)/.test(key) && key !== "NODE_ENV" && key !== "TEST") env[key] = value;
  }
  return { ...env, ...extra };
}

async function answers(rpcUrl: string): Promise<boolean> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  return fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body }).then(
    (response) => response.ok,
    () => false,
  );
}

function run(child: ChildProcess, what: string): Promise<void> {
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${what} exited ${code}:\n${output}`))));
  });
}

/** Starts the chain, deploys under `deploymentId`, and sets up the provider (staked, one H100, online) and the renter (USDC). */
export async function startLocalChain(deploymentId: string): Promise<LocalChain> {
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  // The "default" network allows the unoptimised default build's contract sizes: no rebuild needed.
  const node = spawn(HARDHAT, ["node", "--network", "default", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    env: childEnv({}),
    stdio: ["ignore", "ignore", "pipe"],
  });
  const deploymentFolder = join(ROOT, "ignition", "deployments", deploymentId);
  const provider = new JsonRpcProvider(rpcUrl, 31337, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 200 });
  const stop = async (): Promise<void> => {
    provider.destroy();
    if (node.exitCode === null && node.signalCode === null) {
      const exited = new Promise((resolve) => node.once("exit", resolve));
      node.kill("SIGTERM");
      await exited;
    }
    rmSync(deploymentFolder, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 120_000;
    while (!(await answers(rpcUrl))) {
      if (node.exitCode !== null) throw new Error(`hardhat node exited early (${node.exitCode})`);
      if (Date.now() > deadline) throw new Error(`hardhat node did not answer on ${rpcUrl} within 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const deploy = spawn(
      HARDHAT,
      [
        "ignition",
        "deploy",
        "ignition/modules/GridleaseLocal.ts",
        "--network",
        "localhost",
        "--parameters",
        "ignition/parameters/localhost.json",
        "--deployment-id",
        deploymentId,
        "--build-profile",
        "default",
        "--reset",
      ],
      {
        cwd: ROOT,
        env: childEnv({ GRIDLEASE_RPC_URL: rpcUrl, HARDHAT_IGNITION_CONFIRM_DEPLOYMENT: "1" }),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    await run(deploy, "ignition deploy");

    const addresses = loadDeployedAddresses(31337n, { folder: deploymentFolder });
    const wallets = Object.fromEntries(
      Object.entries(KEYS).map(([role, key]) => [role, new Wallet(key, provider)]),
    ) as LocalChain["wallets"];
    const as = Object.fromEntries(
      Object.entries(wallets).map(([role, wallet]) => [
        role,
        connectProtocol(31337n, addresses, new NonceManager(wallet)),
      ]),
    ) as LocalChain["as"];
    await setUpAccounts(as, wallets);
    return { rpcUrl, provider, chainId: 31337n, as, wallets, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function setUpAccounts(as: LocalChain["as"], wallets: LocalChain["wallets"]): Promise<void> {
  const { deployer, provider, renter } = as;
  await (await deployer.token.transfer(wallets.provider.address, parseEther("2000"))).wait();
  await (await provider.registry.register("http://127.0.0.1/node", 0)).wait();
  await (await provider.token.approve(await provider.registry.getAddress(), parseEther("2000"))).wait();
  await (await provider.registry.stake(parseEther("2000"))).wait();
  await (await provider.registry.setGpuLine(encodeBytes32String("H100"), 1, 80, 98_950)).wait();
  await (await provider.registry.setOnline(true)).wait();
  await (await renter.usdc!.mint(wallets.renter.address, parseUnits("1000", 6))).wait();
  await (await renter.usdc!.approve(await renter.market.getAddress(), parseUnits("1000", 6))).wait();
}
