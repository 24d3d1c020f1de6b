// How the workload commands describe a run's events and its result to a person.
import { formatAmount } from "../../../sdk/index.ts";
import type { RunEvent, RunWorkloadResult } from "../../../sdk/node.ts";

/** One progress line for an event (logs are printed as they come, not through here). */
export function describeEvent(event: RunEvent, token: { symbol: string; decimals: number }): string {
  switch (event.type) {
    case "posted":
      return `posted job #${event.jobId} (${formatAmount(event.budget, token.decimals)} ${token.symbol} escrowed, spec ${event.specHash})`;
    case "awarded":
      return `job #${event.jobId} won by ${event.provider} (${event.state})`;
    case "nodeFound":
      return `provider's node: ${event.url}`;
    case "handedOver":
      return `spec handed over (node: ${event.nodeState})`;
    case "running":
      return "workload running";
    case "delivered":
      return `delivered on-chain: result ${event.resultHash}`;
    case "verified":
      return `verified: manifest ${event.manifestHash}, ${event.outputs} output(s), exit code ${event.exitCode}`;
    case "mismatch":
      return `MISMATCH: ${event.reason}: ${event.mismatches.map((m) => `${m.path} (${m.problem})`).join(", ")}`;
    case "disputed":
      return `disputed job #${event.jobId}: evidence ${event.evidenceHash}, tx ${event.txHash}`;
    case "settled":
      return `settled job #${event.jobId}: ${event.txHash}`;
    case "serviceReady":
      return `service ready: ${event.url}`;
    case "log":
      return event.text;
  }
}

/** The closing lines of `gridlease run`. */
export function resultLines(result: RunWorkloadResult, outputs: string | undefined): string[] {
  const t = result.timings;
  const timing = `timings (s): chain ${t.chain}, container start ${t.containerStart}, workload ${t.workload}, download ${t.download}, total ${t.total}`;
  if (result.service !== undefined) {
    return [
      `Job #${result.jobId}: service at ${result.service.url} (signed requests; the SDK's NodeClient.serviceFetch), until ${new Date(Number(result.service.endsAt) * 1000).toISOString()}.`,
      `Ctrl-C or \`gridlease renter stop ${result.jobId}\` ends the lease early.`,
      timing,
    ];
  }
  const lines = [
    result.verified
      ? `Job #${result.jobId}: results verified against the on-chain hash ${result.result?.resultHash}; saved in ${outputs}.`
      : `Job #${result.jobId}: the results do NOT match the on-chain hash ${result.result?.resultHash}; what was served is in ${outputs}.`,
  ];
  if (result.settled !== undefined) lines.push(`Settled: ${result.settled.txHash}.`);
  else if (result.verified)
    lines.push(
      `Accept and settle now (or let anyone settle after the challenge window): gridlease renter settle ${result.jobId}.`,
    );
  if (result.disputed !== undefined)
    lines.push(`Disputed with evidence ${result.disputed.evidenceHash}: ${result.disputed.txHash}.`);
  else if (!result.verified)
    lines.push(
      `Dispute before the challenge window closes: gridlease run ... --dispute-on-mismatch, or gridlease renter dispute ${result.jobId} --evidence-file <file>.`,
    );
  lines.push(timing);
  return lines;
}
