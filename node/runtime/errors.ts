// Typed failures of the container runtime, each saying what went wrong and what to do, so the node can
// report them to the renter (and decide between retrying and failing the job) without parsing text.

/** Base class: every runtime failure is one of these. */
export class ContainerRuntimeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The Docker Engine API socket does not answer (engine stopped, wrong path, no permission). Retryable. */
export class EngineUnreachableError extends ContainerRuntimeError {
  readonly socketPath: string;

  constructor(socketPath: string, cause: unknown) {
    const code =
      (cause as { code?: string } | undefined)?.code ?? (cause instanceof Error ? cause.message : String(cause));
    super(
      `cannot reach the container engine at unix://${socketPath} (${code}): start Podman's API service with \`npm run containers\`, ` +
        "or start Docker and pass its socket (e.g. /var/run/docker.sock) as socketPath",
      { cause },
    );
    this.socketPath = socketPath;
  }
}

/** The pinned image is not present locally and could not be pulled. */
export class ImageMissingError extends ContainerRuntimeError {
  readonly image: string;

  constructor(image: string, cause?: unknown) {
    const reason = cause instanceof Error ? `: ${cause.message}` : "";
    super(
      `image ${image} is not present and could not be pulled${reason}; push it to a registry the node can reach, or load it on the node`,
      { cause },
    );
    this.image = image;
  }
}

/** The image available under the spec's name does not have the digest the spec pins. */
export class ImageDigestMismatchError extends ContainerRuntimeError {
  readonly image: string;
  readonly expected: string;
  readonly found: string[];

  constructor(image: string, expected: string, found: string[]) {
    super(
      `image ${image} is pinned to ${expected} but the engine only has ${found.join(", ") || "other content"} under that name: ` +
        "refusing to run different content; fix the spec's digest or make the pinned image available",
    );
    this.image = image;
    this.expected = expected;
    this.found = found;
  }
}

/** The spec names a secret the renter did not hand over. */
export class MissingSecretError extends ContainerRuntimeError {
  readonly secret: string;

  constructor(secret: string) {
    super(`the spec needs secret ${secret} but no value was given: the renter must send it with the spec`);
    this.secret = secret;
  }
}

/** An input could not be downloaded, or its bytes do not hash to the spec's sha256. */
export class InputError extends ContainerRuntimeError {
  readonly url: string;

  constructor(url: string, reason: string, options?: { cause?: unknown }) {
    super(`input ${url}: ${reason}`, options);
    this.url = url;
  }
}
