// The README's quickstart, run verbatim: the fenced block after the "quickstart" marker in README.md is
// run by bash (stopping at the first failing command) against a fresh local chain of its own, exactly as
// a user pastes it, with `npx gridlease` resolved as in the project folder. Only the endpoint, the
// deployment folder and GRIDLEASE_HOME point at the test's chain, through the environment the README
// names. If the README and the product drift apart, this test fails.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { expect } from "chai";

import { PROJECT_ROOT } from "../kit/project.ts";
import { JobMarket__factory } from "../../types/ethers-contracts/index.ts";
import { childEnv, startPrivateChain, type LocalChain } from "../kit/cli.ts";

const MARKER = "<!-- quickstart: run verbatim by test/cli/readme.test.ts -->";

/** The quickstart block of README.md, as written. */
function quickstartBlock(readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8")): string {
  const at = readme.indexOf(MARKER);
  if (at < 0) throw new Error(`README.md has no "${MARKER}" marker`);
  const match = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (match === null) throw new Error("no ```sh block after the quickstart marker");
  return match[1];
}

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-e", "-o", "pipefail", "-c", script], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

describe("README: the quickstart runs verbatim on a local chain", function () {
  this.timeout(300_000);
  let chain: LocalChain & { stop(): Promise<void> };

  before(async function () {
    chain = await startPrivateChain("readme-test", 8640);
  });
  after(async function () {
    await chain?.stop();
  });

  it("has no truncated keys or addresses", function () {
    const block = quickstartBlock();
    expect(block).to.not.match(/0x[0-9a-fA-F]*\.\.\./);
    for (const hex of block.match(/0x[0-9a-fA-F]+/g) ?? []) expect([42, 66]).to.include(hex.length, hex);
  });

  it("every command of the block succeeds, and the job ends up running", async function () {
    const block = quickstartBlock();
    // Echo each command before it runs, so a failure names the README line.
    const { code, output } = await bash(`set -x\n${block}`, {
      ...childEnv({
        GRIDLEASE_RPC_URL: chain.rpcUrl,
        GRIDLEASE_DEPLOYMENT: chain.deploymentFolder!,
        GRIDLEASE_HOME: chain.home,
        PATH: `${join(PROJECT_ROOT, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
      }),
    });
    expect(code, output).to.equal(0);
    const job = await JobMarket__factory.connect(chain.addresses.JobMarket, chain.provider).jobOf(1n);
    expect(job.startedAt, output).to.be.greaterThan(0n);
    expect(output).to.match(/Running|running/);
  });
});
