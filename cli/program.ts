// The `gridlease` command tree (commander), and how its own usage errors are reported: like every
// other failure, as text on stderr or {"error": ...} with --json, with exit status 2.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { Command, CommanderError } from "commander";

import { agentCommand } from "./commands/agent.ts";
import { devCommand } from "./commands/dev.ts";
import { infoCommand } from "./commands/info.ts";
import { nodeCommand } from "./commands/node.ts";
import { arbiterCommand, historyCommand, jobsCommand } from "./commands/jobs.ts";
import { mcpCommand } from "./commands/mcp.ts";
import { providerCommand } from "./commands/provider/index.ts";
import { renterCommand } from "./commands/renter/index.ts";
import { resultsCommand } from "./commands/workload/results.ts";
import { runCommand } from "./commands/workload/run.ts";
import { DEFAULT_RPC_URL, ENV, PROJECT_ROOT } from "./lib/env.ts";
import { EXIT_USAGE } from "./lib/errors.ts";
import { createOutput } from "./lib/output.ts";

const ENVIRONMENT_HELP = `
Environment:
  ${ENV.rpcUrl}      JSON-RPC endpoint (default ${DEFAULT_RPC_URL})
  ${ENV.privateKey}  the account's private key, for commands that send transactions
                         (never passed as an argument)
  ${ENV.deployment}   Ignition deployment folder (default ignition/deployments/chain-<chainId>)
  ${ENV.stablecoin}   USDC address, where the deployment does not record one (public networks)
  ${ENV.home}         local state such as bid salts and the MCP server's daily spend (default ~/.gridlease)
  GRIDLEASE_INDEXER_URL  the indexer, for renter quote (default http://127.0.0.1:42069)
  GRIDLEASE_MCP_TOKEN    the bearer token of gridlease mcp --http

Amounts are in dollars (prices, USDC, credits) or GRL, as exact decimals. With --json every command
prints one JSON object (failures as {"error": {...}}); exit status 0 on success, 1 when a transaction
or the network failed, 2 for bad input or configuration (nothing was sent).`;

function version(): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

function everyCommand(command: Command, visit: (c: Command) => void): void {
  visit(command);
  for (const sub of command.commands) everyCommand(sub, visit);
}

export function buildProgram(json: boolean): Command {
  const program = new Command("gridlease")
    .description("Gridlease GPU market from the terminal: providers, renters, a provider agent and the provider node")
    .version(version(), "-V, --version")
    .addHelpText("after", ENVIRONMENT_HELP);
  program.addCommand(infoCommand());
  program.addCommand(providerCommand());
  program.addCommand(renterCommand());
  runCommand(program);
  resultsCommand(program);
  program.addCommand(agentCommand());
  program.addCommand(nodeCommand());
  program.addCommand(mcpCommand());
  program.addCommand(jobsCommand());
  program.addCommand(historyCommand());
  program.addCommand(arbiterCommand());
  program.addCommand(devCommand());
  everyCommand(program, (command) => {
    command.exitOverride();
    command.showHelpAfterError(json ? false : "(add --help for usage)");
    command.configureOutput({ outputError: (text, write) => (json ? undefined : write(text)) });
  });
  return program;
}

/** Runs the CLI on `argv` (as process.argv) and returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const json = argv.slice(2).includes("--json");
  const program = buildProgram(json);
  process.exitCode = 0;
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return 0;
    const message = error.message.replace(/^error: /, "");
    if (json)
      createOutput(true).error({
        code: "USAGE",
        message: `${message[0].toUpperCase()}${message.slice(1)}.`,
        exitCode: EXIT_USAGE,
      });
    return EXIT_USAGE;
  }
  return Number(process.exitCode ?? 0);
}
