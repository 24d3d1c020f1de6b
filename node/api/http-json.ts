// JSON over node:http without a framework: one error type that carries its status and what to do, a JSON
// answer, and a body reader with a size cap (a renter's spec and secrets are small; anything huge is refused
// before it is buffered).
import type { IncomingMessage, ServerResponse } from "node:http";

/** An answer the API refuses with: HTTP status, a stable code, and a message that says what to do. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Sends `body` as JSON (bigints as decimal strings). */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

/** Sends an error as `{ error: { code, message, details? } }`. */
export function sendError(response: ServerResponse, error: ApiError): void {
  sendJson(response, error.status, {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  });
}

/** Reads and parses a JSON body of at most `maxBytes`; refuses anything else with a 4xx {@link ApiError}. */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = request.headers["content-type"] ?? "";
  if (!type.startsWith("application/json")) {
    throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as JSON with content-type: application/json");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes)
      throw new ApiError(
        413,
        "BODY_TOO_LARGE",
        `the body is over ${maxBytes} bytes: a spec and its secrets fit well below that`,
      );
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new ApiError(
      400,
      "INVALID_JSON",
      `the body is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
