// The console's wallet: an injected EIP-1193 provider (`window.ethereum`) through ethers' BrowserProvider,
// checked against the deployment the server names, with the protocol's typed contracts on its signer.
import { BrowserProvider, type Eip1193Provider, type JsonRpcSigner } from "ethers";

import type { DashboardConfig } from "../../config.ts";
import { deploymentFromAddresses } from "../../../sdk/index.ts";
import { connectProtocol, type Protocol } from "../../../sdk/contracts.ts";
import type { MockStablecoin } from "../../../types/ethers-contracts/index.ts";

/** A connected wallet on the deployment's chain. */
export interface ConnectedWallet {
  readonly provider: BrowserProvider;
  readonly signer: JsonRpcSigner;
  /** The account, checksummed. */
  readonly account: string;
  readonly protocol: Protocol;
  /** The payment stablecoin (USDC) with its symbol and decimals. */
  readonly usdc: {
    readonly contract: MockStablecoin;
    readonly address: string;
    readonly symbol: string;
    readonly decimals: number;
  };
}

/** Why the console cannot act (no wallet, wrong chain, no deployment): a message that says what to do. */
export class WalletError extends Error {
  override name = "WalletError";
}

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
  }
}

/** Whether the page has an injected wallet. */
export function hasInjectedWallet(): boolean {
  return typeof window !== "undefined" && window.ethereum !== undefined;
}

/** Asks the injected wallet for an account and connects the protocol's contracts to it. */
export async function connectWallet(config: DashboardConfig): Promise<ConnectedWallet> {
  const deployment = config.deployment;
  if (deployment === undefined) {
    throw new WalletError(
      "This dashboard's server knows no deployment, so the console cannot act: start it with `npm start`, which passes the contracts' addresses.",
    );
  }
  const injected = window.ethereum;
  if (injected === undefined) {
    throw new WalletError(
      "No browser wallet found (window.ethereum is missing): install or enable an EIP-1193 wallet, then reload.",
    );
  }
  const provider = new BrowserProvider(injected);
  await provider.send("eth_requestAccounts", []);
  const { chainId } = await provider.getNetwork();
  if (chainId !== BigInt(deployment.chainId)) {
    throw new WalletError(
      `Your wallet is on chain ${chainId}, but this deployment is on chain ${deployment.chainId}: switch the wallet's network, then connect again.`,
    );
  }
  const signer = await provider.getSigner();
  const protocol = connectProtocol(chainId, deploymentFromAddresses(chainId, deployment.addresses).addresses, signer);
  if (protocol.usdc === undefined) {
    throw new WalletError(
      "The deployment has no payment stablecoin (MockStablecoin): jobs cannot be paid in USDC here.",
    );
  }
  const [symbol, decimals] = await Promise.all([protocol.usdc.symbol(), protocol.usdc.decimals()]);
  return {
    provider,
    signer,
    account: await signer.getAddress(),
    protocol,
    usdc: { contract: protocol.usdc, address: await protocol.usdc.getAddress(), symbol, decimals: Number(decimals) },
  };
}
