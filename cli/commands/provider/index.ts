// `gridlease provider ...`: onboarding (register, GPUs, stake, availability), the auction (bid, reveal,
// accept), execution (start, claim, deliver), and getting paid (withdraw), plus the provider's status.
// Each sub-command is its own module; the order they are added in is the order `--help` lists them.
import { Command } from "commander";

import { addAcceptCommand } from "./accept.ts";
import { addAvailabilityCommands } from "./availability.ts";
import { addBidCommand } from "./bid.ts";
import { addClaimCommand } from "./claim.ts";
import { addCloseBidCommand } from "./close-bid.ts";
import { addDeliverCommand } from "./deliver.ts";
import { addGpuCommands } from "./gpu.ts";
import { addRegisterCommand } from "./register.ts";
import { addRevealCommand } from "./reveal.ts";
import { addStakeCommand } from "./stake.ts";
import { addStartCommand } from "./start.ts";
import { addStatusCommand } from "./status.ts";
import { addUnbondCommand } from "./unbond.ts";
import { addWithdrawStakeCommand } from "./withdraw-stake.ts";
import { addWithdrawCommand } from "./withdraw.ts";

/** The `provider` command and its sub-commands. */
export function providerCommand(): Command {
  const provider = new Command("provider").description(
    "provider actions: register, list GPUs, stake, bid, run jobs, get paid",
  );
  for (const add of [
    addRegisterCommand,
    addGpuCommands,
    addStakeCommand,
    addUnbondCommand,
    addWithdrawStakeCommand,
    addAvailabilityCommands,
    addBidCommand,
    addRevealCommand,
    addAcceptCommand,
    addStartCommand,
    addDeliverCommand,
    addClaimCommand,
    addCloseBidCommand,
    addWithdrawCommand,
    addStatusCommand,
  ]) {
    add(provider);
  }
  return provider;
}
