// Forwards one renter request to a running service's published port on the node's loopback and streams
// the answer back. The renter's read signature stays on the node: the workload never sees it.
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";

import { READ_SIGNATURE_HEADER } from "../../sdk/index.ts";
import { ApiError } from "./http-json.ts";

/** Headers that describe one hop, not the message (RFC 9110 section 7.6.1), plus the node's own. */
const NOT_FORWARDED = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "host",
  READ_SIGNATURE_HEADER,
]);

/** Proxies `request` to `endpoint` at `pathAndQuery`; a service that cannot be reached is a 502. */
export function proxyToService(
  endpoint: { host: string; port: number },
  pathAndQuery: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers))
    if (!NOT_FORWARDED.has(name) && value !== undefined) headers[name] = value;
  return new Promise<void>((resolve, reject) => {
    const upstream = httpRequest(
      {
        host: endpoint.host,
        port: endpoint.port,
        method: request.method,
        path: pathAndQuery,
        headers,
        timeout: 30_000,
      },
      (answer) => {
        const forwarded: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers))
          if (!NOT_FORWARDED.has(name) && value !== undefined) forwarded[name] = value;
        response.writeHead(answer.statusCode ?? 502, forwarded);
        answer.pipe(response);
        answer.on("end", resolve);
        answer.on("error", reject);
      },
    );
    upstream.on("timeout", () => upstream.destroy(new Error("no answer within 30 s")));
    upstream.on("error", (error) =>
      reject(
        new ApiError(
          502,
          "SERVICE_UNREACHABLE",
          `the service did not answer (${error.message}): it may be starting or have stopped`,
        ),
      ),
    );
    request.pipe(upstream);
  });
}
