// A bytes32 the user gives either as a hash or as a file to hash (a delivery's result, a dispute's
// evidence): exactly one of the two options, checked before anything is sent.
import { readFileSync } from "node:fs";

import { keccak256 } from "ethers";

import { invalidInput } from "./errors.ts";
import { parseBytes32 } from "./parse.ts";

/** The two options of one hash, and what the hash is of (for messages: "result", "evidence"). */
export interface HashOptionNames {
  hash: string;
  file: string;
  what: string;
}

/** The hash from exactly one of `hash` (0x + 64 hex digits) and `file` (the keccak256 of its bytes). */
export function hashFromOptions(hash: string | undefined, file: string | undefined, names: HashOptionNames): string {
  if ((hash === undefined) === (file === undefined))
    throw invalidInput(`Pass exactly one of ${names.hash} <bytes32> or ${names.file} <path>.`);
  if (hash !== undefined) return parseBytes32(hash, names.hash);
  try {
    return keccak256(readFileSync(file as string));
  } catch (error) {
    throw invalidInput(`Cannot read the ${names.what} file ${file}: ${(error as Error).message}.`);
  }
}
