// `gridlease dev ...`: conveniences for a local chain (`npm start`, a hardhat node, anvil) that a real
// network must never offer: fund an account with GRL, USDC and ETH, publish a GRL/USD answer on the
// settable mock feed, and move the chain's clock. Each command first checks that the endpoint is a local
// development chain (chain id 31337 or 1337 and a development node's client version) and refuses
// anything else before it sends anything.
import { Command } from "commander";
import { formatEther, JsonRpcSigner, toQuantity } from "ethers";

import type { MockAggregatorV3 } from "../../types/ethers-contracts/index.ts";
import { run, withJson } from "../lib/command.ts";
import { connect, type Context } from "../lib/context.ts";
import { ENV, rpcUrl } from "../lib/env.ts";
import { CliError, EXIT_USAGE } from "../lib/errors.ts";
import { formatAmount, formatDuration, formatGrl, formatUsd } from "../../sdk/index.ts";
import { parseAddress, parseAmount, parseDollars, parseDuration, parseGrl } from "../lib/parse.ts";
import { send, type SentTransaction } from "../lib/tx.ts";

/** Chain ids of development nodes (Hardhat, anvil; Ganache and geth --dev use 1337). */
const LOCAL_CHAIN_IDS = new Set([31337n, 1337n]);
/** Client versions of development nodes (Hardhat's EDR answers "edr/..." or "HardhatNetwork/..."). */
const LOCAL_CLIENTS = /hardhat|edr|anvil|ganache|tenderly|foundry/i;
const FEED_DECIMALS = 8;

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { result?: unknown };
  return body.result;
}

/**
 * Connects like every other command, after refusing an endpoint that is not a local development chain.
 * An unreachable endpoint is left to connect(), which reports it the usual way.
 */
async function connectLocal(command: string): Promise<Context> {
  const url = rpcUrl();
  let chainId: bigint | undefined;
  let client = "";
  try {
    const id = await rpc(url, "eth_chainId");
    chainId = typeof id === "string" ? BigInt(id) : undefined;
    const version = await rpc(url, "web3_clientVersion").catch(() => undefined);
    client = typeof version === "string" ? version : "";
  } catch {
    chainId = undefined;
  }
  if (chainId !== undefined && !(LOCAL_CHAIN_IDS.has(chainId) && LOCAL_CLIENTS.test(client))) {
    throw new CliError(
      "NOT_LOCAL",
      `\`gridlease dev ${command}\` works on a local development chain only (\`npm start\`, a hardhat node or anvil), ` +
        `but ${url} is chain ${chainId}${client === "" ? "" : ` (${client})`}. Nothing was sent. Point ${ENV.rpcUrl} at a local node.`,
      { exitCode: EXIT_USAGE, details: { chainId: chainId.toString(), client } },
    );
  }
  return connect({ needsSigner: false });
}

/** A signer for `address` on the dev node (its own unlocked account, or impersonated). */
async function devSigner(ctx: Context, address: string): Promise<JsonRpcSigner> {
  const accounts = ((await ctx.provider.send("eth_accounts", [])) as string[]).map((a) => a.toLowerCase());
  if (!accounts.includes(address.toLowerCase())) await ctx.provider.send("hardhat_impersonateAccount", [address]);
  return new JsonRpcSigner(ctx.provider, address);
}

/** The local deployment's settable GRL/USD feed, or a refusal naming what is missing. */
function mockFeed(ctx: Context, command: string): MockAggregatorV3 {
  const feed = ctx.protocol.feed;
  if (feed === undefined) {
    throw new CliError(
      "NOT_LOCAL",
      `\`gridlease dev ${command}\` needs the local deployment's settable GRL/USD feed (GridleaseLocal), which ${ctx.deploymentFolder} does not have.`,
      {
        exitCode: EXIT_USAGE,
      },
    );
  }
  return feed;
}

export function devCommand(): Command {
  const dev = new Command("dev").description(
    "local chains only: fund accounts, publish a GRL/USD price, move the clock (refused on any other network)",
  );

  withJson(
    dev
      .command("fund")
      .description("give an account GRL (from the node's account holding it), USDC (the local faucet) and ETH for gas")
      .argument("<address>", "the account to fund")
      .option("--grl <n>", "GRL to send", "10000")
      .option("--usdc <n>", "USDC to mint", "10000")
      .option("--eth <n>", "top the account's ETH up to at least this much, for gas", "10"),
  ).action(async (addressText: string, opts: { grl: string; usdc: string; eth: string }, cmd: Command) =>
    run(cmd, async (out) => {
      const to = parseAddress(addressText, "The address");
      const grl = parseGrl(opts.grl, "--grl", { allowZero: true });
      const eth = parseAmount(opts.eth, 18, "--eth", { allowZero: true, unit: "ETH" });
      const ctx = await connectLocal("fund");
      const usdcAddress = ctx.addresses.MockStablecoin;
      if (usdcAddress === undefined) {
        throw new CliError(
          "NOT_LOCAL",
          `The deployment in ${ctx.deploymentFolder} has no local USDC stand-in to mint from.`,
          { exitCode: EXIT_USAGE },
        );
      }
      const usdc = ctx.stablecoin!;
      const usdcDecimals = Number(await usdc.decimals());
      const usdcAmount = parseDollars(opts.usdc, usdcDecimals, "--usdc", { allowZero: true });
      const token = ctx.protocol.token;
      const transactions: SentTransaction[] = [];

      const ethBefore = await ctx.provider.getBalance(to);
      if (ethBefore < eth) await ctx.provider.send("hardhat_setBalance", [to, toQuantity(eth)]);

      if (grl > 0n) {
        const accounts = (await ctx.provider.send("eth_accounts", [])) as string[];
        let source: string | undefined;
        for (const account of accounts) {
          if (account.toLowerCase() !== to.toLowerCase() && (await token.balanceOf(account)) >= grl) {
            source = account;
            break;
          }
        }
        if (source === undefined) {
          throw new CliError(
            "INSUFFICIENT_BALANCE",
            `None of the node's own accounts holds ${formatGrl(grl)} to send.`,
            { exitCode: EXIT_USAGE },
          );
        }
        const from = token.connect(await devSigner(ctx, source));
        transactions.push((await send(out, "send GRL", () => from.transfer(to, grl))).sent);
      }
      if (usdcAmount > 0n) {
        const minter = usdc.connect(await devSigner(ctx, (await ctx.provider.send("eth_accounts", []))[0] as string));
        transactions.push((await send(out, "mint USDC", () => minter.mint(to, usdcAmount))).sent);
      }
      const [grlBalance, usdcBalance, ethBalance] = await Promise.all([
        token.balanceOf(to),
        usdc.balanceOf(to),
        ctx.provider.getBalance(to),
      ]);
      out.result(
        {
          command: "dev fund",
          account: to,
          sent: { grl: formatEther(grl), usdc: formatAmount(usdcAmount, usdcDecimals) },
          balances: {
            grl: formatEther(grlBalance),
            usdc: formatAmount(usdcBalance, usdcDecimals),
            eth: formatEther(ethBalance),
          },
          transactions,
        },
        `Funded ${to}: now ${formatGrl(grlBalance)}, ${formatAmount(usdcBalance, usdcDecimals)} USDC, ${formatAmount(ethBalance, 18)} ETH.`,
      );
    }),
  );

  withJson(
    dev
      .command("price")
      .description("publish a new GRL/USD answer on the local mock feed (also refreshes a stale feed)")
      .argument("<usd>", "the GRL price in dollars, e.g. 0.50"),
  ).action(async (priceText: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const answer = parseDollars(priceText, FEED_DECIMALS, "The price");
      const ctx = await connectLocal("price");
      const feed = mockFeed(ctx, "price");
      const publisher = feed.connect(await devSigner(ctx, await feed.OWNER()));
      const { sent } = await send(out, "publish price", () => publisher.setAnswer(answer));
      const oraclePrice = await ctx.protocol.oracle.grlUsdPrice().catch(() => undefined);
      out.result(
        {
          command: "dev price",
          answer: formatAmount(answer, FEED_DECIMALS),
          oraclePrice: oraclePrice === undefined ? null : formatEther(oraclePrice),
          transactions: [sent],
        },
        oraclePrice === undefined
          ? `Published ${formatUsd(answer, FEED_DECIMALS)}, but the oracle refuses it (outside its bounds?).`
          : `Published ${formatUsd(answer, FEED_DECIMALS)} per GRL; the oracle now reads ${formatUsd(oraclePrice, 18)}.`,
      );
    }),
  );

  withJson(
    dev
      .command("advance")
      .description("move the chain's clock forward and mine a block (evm_increaseTime + evm_mine)")
      .argument("<duration>", "e.g. 90s, 10m, 2h or 1d"),
  ).action(async (durationText: string, _opts: unknown, cmd: Command) =>
    run(cmd, async (out) => {
      const seconds = parseDuration(durationText, "The duration");
      const ctx = await connectLocal("advance");
      const before = await ctx.provider.getBlock("latest");
      await ctx.provider.send("evm_increaseTime", [Number(seconds)]);
      await ctx.provider.send("evm_mine", []);
      const after = await ctx.provider.getBlock("latest");
      const now = BigInt(after!.timestamp);
      let feedNote = "";
      let feedStale: boolean | null = null;
      if (ctx.addresses.MockAggregatorV3 !== undefined) {
        const [heartbeat, round] = await Promise.all([
          ctx.protocol.oracle.HEARTBEAT(),
          mockFeed(ctx, "advance").latestRoundData(),
        ]);
        feedStale = now > round[3] + heartbeat; // updatedAt
        if (feedStale)
          feedNote =
            " The GRL/USD feed is now stale: publish a price (`gridlease dev price 0.50`); `npm start`'s idle mode does it by itself.";
      }
      out.result(
        {
          command: "dev advance",
          seconds: Number(seconds),
          blockNumber: after!.number,
          timestamp: after!.timestamp,
          previousTimestamp: before!.timestamp,
          feedStale,
        },
        `Advanced ${formatDuration(seconds)}: block ${after!.number} at ${new Date(after!.timestamp * 1000).toISOString()}.${feedNote}`,
      );
    }),
  );

  return dev;
}
