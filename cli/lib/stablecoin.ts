// A payment stablecoin at any address (USDC on a public network, a job's payment token), typed as the local
// USDC stand-in: the CLI uses only its ERC-20 and EIP-2612 functions (and `mint` where the faucet checked
// that it is the stand-in). The deployment's own stand-in comes from connectProtocol instead.
import { Contract, type ContractRunner } from "ethers";

import { MockStablecoinAbi } from "../../sdk/index.ts";
import type { MockStablecoin } from "../../types/ethers-contracts/index.ts";

/** The stablecoin at `address`, connected to `runner`. */
export function stablecoinAt(address: string, runner: ContractRunner): MockStablecoin {
  return new Contract(address, MockStablecoinAbi, runner) as unknown as MockStablecoin;
}
