// The API's view of a ContainerRuntime: its files and endpoint as they are, plus live logs read from the
// engine (the runtime itself only saves the log once the workload ends).
import { PassThrough } from "node:stream";

import { type ContainerRuntime, isNotFound } from "../runtime/container-runtime.ts";
import { demuxLogStream } from "../runtime/logs.ts";
import type { NodeApiRuntime } from "./node-api.ts";

/** Adapts a {@link ContainerRuntime} to what the node's API reads. */
export function containerApiRuntime(runtime: ContainerRuntime): NodeApiRuntime {
  return {
    jobFiles: (jobId) => runtime.jobFiles(jobId),
    store: runtime.store,
    endpoint: (jobId, port) => runtime.endpoint(jobId, port),
    liveLogs: async (jobId) => {
      const found = await runtime.find(jobId);
      if (!found?.running) return undefined;
      let stream: NodeJS.ReadableStream;
      try {
        stream = await runtime.docker.getContainer(found.name).logs({ follow: true, stdout: true, stderr: true });
      } catch (error) {
        // Collected and removed since `find`: the runtime saved its log first, so the API serves that.
        if (isNotFound(error)) return undefined;
        throw error;
      }
      const output = new PassThrough();
      // Frames demultiplexed as they arrive; the stream ends with the container. A convenience only: Podman 4's
      // followed stream can drop lines of a fast writer, the stored log (read whole after the exit) does not.
      demuxLogStream(stream as unknown as AsyncIterable<Uint8Array>, {
        write: async (chunk) => {
          output.write(chunk);
        },
      }).then(
        () => output.end(),
        (error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))),
      );
      return output;
    },
  };
}
