import { Signature, type Signer, type TypedDataDomain } from "ethers";

/** The parts of an EIP-2612 token a permit signature needs. */
export interface PermitToken {
  name(): Promise<string>;
  nonces(owner: string): Promise<bigint>;
  getAddress(): Promise<string>;
}

export interface PermitRequest {
  /** The account whose tokens are approved. */
  owner: string;
  spender: string;
  value: bigint;
  /** Unix time after which the permit is void. */
  deadline: bigint;
  /** Defaults to the token's current nonce for `owner`. */
  nonce?: bigint;
}

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

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
  const signature = await signer.signTypedData(domain, PERMIT_TYPES, {
    owner: request.owner,
    spender: request.spender,
    value: request.value,
    nonce,
    deadline: request.deadline,
  });
  const { v, r, s } = Signature.from(signature);
  return { v, r, s };
}
