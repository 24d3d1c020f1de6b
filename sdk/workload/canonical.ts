// RFC 8785 (JSON Canonicalization Scheme) bytes and their keccak256: the one hashing rule for every
// document the chain commits to (workload specs, result manifests), so any party re-derives the same
// bytes32 from the same JSON, whatever its key order or whitespace.
import canonicalize from "canonicalize";
import { keccak256, toUtf8Bytes } from "ethers";

/** Thrown when a value has no JSON form (undefined, a function, a bigint, a non-finite number). */
export class CanonicalJsonError extends Error {
  constructor(reason: string) {
    super(
      `cannot canonicalize to RFC 8785 JSON: ${reason}; pass plain JSON values (strings, finite numbers, booleans, null, arrays, objects)`,
    );
    this.name = "CanonicalJsonError";
  }
}

/** The RFC 8785 canonical UTF-8 bytes of a JSON value. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (error) {
    throw new CanonicalJsonError(error instanceof Error ? error.message : String(error));
  }
  if (text === undefined) throw new CanonicalJsonError("the value is undefined or has no JSON form");
  return toUtf8Bytes(text);
}

/** keccak256 of a JSON value's RFC 8785 canonical bytes, as a 0x-prefixed bytes32 (what the contracts store). */
export function canonicalJsonKeccak256(value: unknown): string {
  return keccak256(canonicalJsonBytes(value));
}
