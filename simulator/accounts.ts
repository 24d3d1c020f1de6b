// Simulated actors' accounts: derived from Hardhat's default mnemonic beyond its 20 funded
// accounts (m/44'/60'/0'/0/i), so anyone can recreate a simulated provider's key with the CLI.
import { HDNodeWallet } from "ethers";

/** Hardhat's default development mnemonic (public; local chains only). */
export const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

let root: HDNodeWallet | undefined;
const cache = new Map<number, HDNodeWallet>();

/** The wallet at derivation index `index` of Hardhat's mnemonic. */
export function hardhatWallet(index: number): HDNodeWallet {
  let wallet = cache.get(index);
  if (wallet === undefined) {
    // Deriving the root once: each fromPhrase call runs PBKDF2.
    root ??= HDNodeWallet.fromPhrase(HARDHAT_MNEMONIC, undefined, "m/44'/60'/0'/0");
    wallet = root.deriveChild(index);
    cache.set(index, wallet);
  }
  return wallet;
}

/** The address at derivation index `index`. */
export function hardhatAddress(index: number): string {
  return hardhatWallet(index).address;
}
