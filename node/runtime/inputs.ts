// Downloads a workload's inputs into the content store and checks each against the sha256 its spec pins,
// so the container only ever sees the bytes the renter committed to (mounted read-only).
import { sha256Hex, type WorkloadSpec } from "../../sdk/index.ts";
import type { ContentStore } from "../store/content-store.ts";
import { InputError } from "./errors.ts";

/** An input ready to mount: the store's file and where the container sees it. */
export interface FetchedInput {
  hostPath: string;
  mountPath: string;
}

/** Fetches every input not already stored (at most `maxBytes` each) and returns the read-only mounts. */
export async function fetchInputs(
  inputs: WorkloadSpec["inputs"],
  store: ContentStore,
  maxBytes: number,
): Promise<FetchedInput[]> {
  const mounts: FetchedInput[] = [];
  for (const input of inputs) {
    if (!store.has(input.sha256)) {
      const bytes = await download(input.url, maxBytes);
      const actual = sha256Hex(bytes);
      if (actual !== input.sha256) {
        throw new InputError(
          input.url,
          `downloaded bytes hash to sha256 ${actual}, the spec pins ${input.sha256}: refusing to run on other data`,
        );
      }
      await store.putBytes(bytes);
    }
    mounts.push({ hostPath: store.path(input.sha256), mountPath: input.mountPath });
  }
  return mounts;
}

async function download(url: string, maxBytes: number): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: "follow" });
  } catch (error) {
    throw new InputError(
      url,
      `download failed (${error instanceof Error ? error.message : String(error)}); check the URL is reachable from the node`,
      { cause: error },
    );
  }
  if (!response.ok) throw new InputError(url, `download answered HTTP ${response.status}; check the URL`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > maxBytes) {
    throw new InputError(url, `is ${bytes.length} bytes, over the node's ${maxBytes}-byte input limit`);
  }
  return bytes;
}
