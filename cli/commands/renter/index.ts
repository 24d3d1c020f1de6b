// `gridlease renter ...`: buying credits, posting jobs with escrow, closing auctions, stopping,
// settling, disputing and failing jobs, reading a job's status, and withdrawing refunds.
// Each sub-command is its own module; the order they are added in is the order `--help` lists them.
import { Command } from "commander";

import { addAwardCommand } from "./award.ts";
import { addBalanceCommand } from "./balance.ts";
import { addBuyCreditsCommand } from "./buy-credits.ts";
import { addCancelCommand } from "./cancel.ts";
import { addCreateJobCommand } from "./create-job.ts";
import { addDisputeCommand } from "./dispute.ts";
import { addFailCommand } from "./fail.ts";
import { addFaucetCommand } from "./faucet.ts";
import { addSettleCommand } from "./settle.ts";
import { addQuoteCommand } from "./quote.ts";
import { addStatusCommand } from "./status.ts";
import { addStopCommand } from "./stop.ts";
import { addWithdrawCommand } from "./withdraw.ts";

/** The `renter` command and its sub-commands. */
export function renterCommand(): Command {
  const renter = new Command("renter").description(
    "renter actions: buy credits, post jobs, award, stop, settle, dispute, status",
  );
  for (const add of [
    addFaucetCommand,
    addBuyCreditsCommand,
    addQuoteCommand,
    addCreateJobCommand,
    addAwardCommand,
    addCancelCommand,
    addStopCommand,
    addSettleCommand,
    addFailCommand,
    addDisputeCommand,
    addStatusCommand,
    addBalanceCommand,
    addWithdrawCommand,
  ]) {
    add(renter);
  }
  return renter;
}
