// A stand-in for the indexer's HTTP API in the SDK's tests (Node only; no entry point exports it): a real
// node:http server whose GraphQL endpoint validates and executes each query against the GraphQL schema
// Ponder builds from indexer/ponder.schema.ts (the same buildGraphQLSchema the indexer serves), over canned
// root values. So a query naming a field, argument or filter the indexer does not have fails here as it
// would there, and canned rows are held to the schema's types and nullability.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";

import { buildSchema, execute, parse, validate, type GraphQLSchema } from "graphql";

import { PROJECT_ROOT } from "../test-support.ts";

/** One request the server received. */
export interface ReceivedRequest {
  /** "GET" or "POST". */
  readonly method: string;
  /** The path, e.g. "/graphql". */
  readonly path: string;
  /** A GraphQL request's query text. */
  readonly query?: string;
  /** A GraphQL request's variables. */
  readonly variables?: Record<string, unknown>;
}

/** What the server answers to one request. */
export type Answer =
  /** Execute the GraphQL request over this root value (each root field's canned answer). */
  | { readonly root: Record<string, unknown> }
  /** Send this status and body as is. */
  | { readonly status: number; readonly body: string; readonly contentType?: string }
  /** Never answer (for timeouts). */
  | { readonly hang: true };

/** A running stand-in indexer. */
export interface TestIndexer {
  /** Its base URL. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: ReceivedRequest[];
  /** Stops the server. */
  close(): Promise<void>;
}

let schemaPromise: Promise<GraphQLSchema> | undefined;

/**
 * The indexer's GraphQL schema without resolvers: Ponder's buildGraphQLSchema over indexer/ponder.schema.ts,
 * printed and rebuilt, so fields resolve from the root value and the BigInt scalar passes strings through
 * (as Ponder serializes it).
 */
export function indexerGraphqlSchema(): Promise<GraphQLSchema> {
  // Imported by computed path: Ponder does not export this module, and the root tsconfig does not type-check
  // the indexer's files (the indexer has its own).
  const ponderGraphql = new URL("node_modules/ponder/dist/esm/graphql/index.js", `file://${PROJECT_ROOT}/`).href;
  const ponderSchema = new URL("indexer/ponder.schema.ts", `file://${PROJECT_ROOT}/`).href;
  schemaPromise ??= (async () => {
    const { buildGraphQLSchema } = (await import(ponderGraphql)) as {
      buildGraphQLSchema(input: { schema: Record<string, unknown> }): GraphQLSchema;
    };
    const tables = (await import(ponderSchema)) as Record<string, unknown>;
    // Ponder's schema objects belong to the graphql package as Node loads it for Ponder (its CommonJS
    // build), which graphql's instanceof checks tell from the copy vitest loads: print with that one.
    const { printSchema } = createRequire(ponderGraphql)("graphql") as typeof import("graphql");
    return buildSchema(printSchema(buildGraphQLSchema({ schema: tables })));
  })();
  return schemaPromise;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Runs a GraphQL request over `root` as Ponder's server would answer it (errors with HTTP 200, like Yoga's validation). */
async function graphqlAnswer(
  root: Record<string, unknown>,
  query: string,
  variables: Record<string, unknown>,
): Promise<{ status: number; body: string }> {
  const schema = await indexerGraphqlSchema();
  let document: ReturnType<typeof parse>;
  try {
    document = parse(query);
  } catch (error) {
    return { status: 400, body: JSON.stringify({ errors: [{ message: (error as Error).message }] }) };
  }
  const problems = validate(schema, document);
  if (problems.length > 0) {
    return { status: 400, body: JSON.stringify({ errors: problems.map((problem) => ({ message: problem.message })) }) };
  }
  const result = await execute({ schema, document, rootValue: root, variableValues: variables });
  return { status: 200, body: JSON.stringify(result) };
}

/**
 * Starts a stand-in indexer on a free port of 127.0.0.1; `answer` decides each request's answer from
 * the request and how many came before it.
 */
export async function startTestIndexer(
  answer: (request: ReceivedRequest, index: number) => Answer,
): Promise<TestIndexer> {
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((request, response) => {
    void (async () => {
      const text = await readBody(request);
      const body = request.method === "POST" && text !== "" ? (JSON.parse(text) as Record<string, unknown>) : {};
      const received: ReceivedRequest = {
        method: request.method ?? "",
        path: new URL(request.url ?? "/", "http://localhost").pathname,
        ...(typeof body.query === "string" ? { query: body.query } : {}),
        ...(body.variables ? { variables: body.variables as Record<string, unknown> } : {}),
      };
      requests.push(received);
      const reply = answer(received, requests.length - 1);
      if ("hang" in reply) {
        hanging.add(response);
        return;
      }
      const {
        status,
        body: out,
        contentType,
      } = "root" in reply
        ? {
            ...(await graphqlAnswer(reply.root, received.query ?? "", received.variables ?? {})),
            contentType: undefined,
          }
        : reply;
      response.writeHead(status, { "content-type": contentType ?? "application/json" });
      response.end(out);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.close(() => resolve());
      }),
  };
}
