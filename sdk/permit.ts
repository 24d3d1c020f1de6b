// EIP-2612 permits, so an approval and the action that spends it fit in one transaction.
import { Signature, type Signer, type TypedDataDomain } from "ethers";

/** The parts of an EIP-2612 token a permit signature needs (a TypeChain or ethers contract has them). */
export interface PermitToken {
  /** The token's EIP-712 domain name. */
  name(): Promise<string>;
  /** The owner's current permit nonce. */
  nonces(owner: string): Promise<bigint>;
  /** The token's address. */
  getAddress(): Promise<string>;
}

/** What a permit approves. */
export interface PermitRequest {
  /** The account whose tokens are approved. */
  owner: string;
  /** Who may spend them. */
  spender: string;
  /** How much, in token units. */
  value: bigint;
  /** Unix time after which the permit is void. */
  deadline: bigint;
  /** Defaults to the token's current nonce for `owner`. */
  nonce?: bigint;
}

/** The EIP-712 types of an EIP-2612 permit. */
export const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/**
 * Signs an EIP-2612 permit (domain version "1", as OpenZeppelin's ERC20Permit) so an approval and the
 * action that spends it fit in one transaction: what script-only renters and agents need.
 */
export async function signPermit(
  signer: Signer,
  token: PermitToken,
  request: PermitRequest,
): Promise<{ v: number; r: string; s: string }> {
  const provider = signer.provider;
  if (provider === null) throw new Error("signPermit: the signer is not connected to a provider");
  const { chainId } = await provider.getNetwork();
  const domain: TypedDataDomain = {
    name: await token.name(),
    version: "1",
    chainId,
    verifyingContract: await token.getAddress(),
  };
  const nonce = request.nonce ?? (await token.nonces(request.owner));
  const types = { Permit: PERMIT_TYPES.Permit.map((field) => ({ ...field })) };
  const signature = await signer.signTypedData(domain, types, {
    owner: request.owner,
    spender: request.spender,
    value: request.value,
    nonce,
    deadline: request.deadline,
  });
  const { v, r, s } = Signature.from(signature);
  return { v, r, s };
}
