// One plain-language message per custom error the CLI can meet: every error declared in
// contracts/interfaces/*.sol, the OpenZeppelin errors the deployed contracts inherit, and those of the
// local stand-ins (USDC, GRL/USD feed). Each message says what went wrong and what to do about it.
// sdk/errors/decode.test.ts checks that every error in those contracts' ABIs has an entry here.
import {
  BidStatus,
  JobState,
  MarketParameter,
  parameterField,
  pricingRuleLabel,
  RequestField,
  SettlementParameter,
  type RequestFieldName,
} from "../enums.ts";

/** Each job request field as the CLI option that sets it (for MarketInvalidRequest). */
export const REQUEST_FIELD_LABELS: Readonly<Record<RequestFieldName, string>> = {
  GpuModel: "GPU model (--model)",
  GpuCount: "GPU count (--count, 1 to 1024)",
  MinReputation: "minimum reputation (--min-reputation, 0 to 10000)",
  Duration: "duration (--hours, 1 minute to 365 days)",
  ReservePricePerGpuHour: "maximum price per GPU-hour (--max-price, above zero)",
  BidWindow: "bid window (--bid-window, 1 minute to 7 days)",
  RevealWindow: "reveal window (--reveal-window, 1 minute to 7 days; none for instant jobs)",
  MinVramGb: "minimum VRAM per GPU (--vram, at most 65535 GB)",
  SpecHash: "workload spec hash (--spec <file> or --spec-hash <hash>, not zero)",
};

const unknown = (value: unknown) => `unknown(${String(value)})`;
const requestField = (value: unknown) => {
  const name = RequestField.nameOf(value as bigint);
  return name === undefined ? unknown(value) : REQUEST_FIELD_LABELS[name];
};
const marketParameter = (value: unknown) => {
  const name = MarketParameter.nameOf(value as bigint);
  return name === undefined ? unknown(value) : parameterField(name);
};
const settlementParameter = (value: unknown) => {
  const name = SettlementParameter.nameOf(value as bigint);
  return name === undefined ? unknown(value) : parameterField(name);
};

/** Formatting helpers handed to each message (amounts in the units the failing command works in). */
export interface MessageFormat {
  /** A GRL amount (18 decimals). */
  grl(wei: unknown): string;
  /** An amount of the token the command moves (payment token, GRL for staking), with its symbol. */
  token(units: unknown): string;
  /** A price per GPU-hour in the job's payment token. */
  price(units: unknown): string;
  /** A USD amount with 18 decimals (credits, earnings). */
  usd18(units: unknown): string;
  /** A unix time, relative to the chain's clock when known. */
  time(timestamp: unknown): string;
  /** A GPU model id (bytes32 short string). */
  model(id: unknown): string;
  /** An access-control role id. */
  role(id: unknown): string;
  /** A GRL/USD feed answer (8 decimals on Chainlink's GRL/USD feeds). */
  feedAnswer(answer: unknown): string;
}

/** Renders one custom error's message from its decoded arguments. */
export type ErrorMessage = (args: readonly unknown[], f: MessageFormat) => string;

const statusCmd = (jobId: unknown) => `\`gridlease renter status ${jobId}\``;
const n = (value: unknown) => String(value);

/** The plain-language message of every custom error the protocol's contracts can revert with, by error name. */
export const ERROR_MESSAGES: Readonly<Record<string, ErrorMessage>> = {
  // ------------------------------------------------------------------------------------------------
  // JobMarket (IJobMarket)
  // ------------------------------------------------------------------------------------------------
  MarketZeroAddress: ([what]) =>
    `The market was given the zero address as "${what}": pass a real address (for withdrawals, --to).`,
  MarketTokenNotAllowed: ([token]) =>
    `The payment token ${token} is not allow-listed by the market: pay with --pay usdc or --pay credits ` +
    `(check GRIDLEASE_STABLECOIN if you set it).`,
  MarketTokenDecimalsUnsupported: ([token, decimals]) =>
    `The token ${token} has ${n(decimals)} decimals; the market supports at most 18. Use another payment token.`,
  MarketTokenAddressReserved: ([token]) =>
    `The token ${token} has an address below 2^64, a range the market reserves for credit jobs' mint floors, ` +
    "so it cannot be a payment token: allow-list a token deployed at an ordinary address.",
  MarketFeeOnTransferToken: ([token, expected, received], f) =>
    `The token ${token} delivered ${f.token(received)} instead of ${f.token(expected)} (it takes a fee on ` +
    `transfer), which the market does not accept. Pay with USDC or credits.`,
  MarketInvalidRequest: ([field]) => `The job request is invalid: check the ${requestField(field)}.`,
  MarketJobValueZero: () =>
    "The job's budget (max price x GPUs x hours) rounds to zero: raise --max-price, --count or --hours.",
  MarketJobValueTooLarge: ([value, maxValue]) =>
    `The job's budget (max price x GPUs x hours, ${n(value)} token units) is above the most a job may escrow ` +
    `(${n(maxValue)} units): lower --max-price, --count or --hours.`,
  MarketNotDelegated: () =>
    "The market's disputes module was called directly; it only runs through the market: send the call to the JobMarket address.",
  MarketParamsExhausted: ([maxParamsId]) =>
    `Governance has already set the most market parameter sets a job can refer to (${n(maxParamsId)}): no new set can be proposed.`,
  MarketUnknownJob: ([jobId]) =>
    `There is no job #${jobId} on this market: check the job id (and GRIDLEASE_RPC_URL / GRIDLEASE_DEPLOYMENT).`,
  MarketWrongState: ([jobId, state]) =>
    `Job #${jobId} is ${JobState.label(state as bigint)}, which does not allow this action: see ${statusCmd(jobId)}.`,
  MarketNotRenter: ([jobId, caller]) =>
    `Only the renter of job #${jobId} may do this, and ${caller} is not it: use the renter's key in GRIDLEASE_PRIVATE_KEY.`,
  MarketNotProvider: ([jobId, caller]) =>
    `Only the provider that won job #${jobId} may do this, and ${caller} is not it: use the winner's key in GRIDLEASE_PRIVATE_KEY.`,
  MarketWindowClosed: ([jobId, deadline], f) =>
    `The window for this action on job #${jobId} closed at ${f.time(deadline)}: see ${statusCmd(jobId)} for what can be done now.`,
  MarketRegistryCallFailed: () =>
    "The market's call to the provider registry failed without a reason (it ran out of gas, or the registry is not the one " +
    "the market expects): retry with more gas, and report it if it persists.",
  MarketTooEarly: ([jobId, opensAt], f) =>
    `Too early for this action on job #${jobId}: it opens at ${f.time(opensAt)}. Try again then.`,
  MarketWrongPricingRule: ([jobId, rule]) => {
    const label = pricingRuleLabel(rule as bigint);
    return label === "instant"
      ? `Job #${jobId} is an instant job: accept it with \`gridlease provider accept ${jobId}\` instead of bidding.`
      : `Job #${jobId} is a ${label} auction, not an instant job: bid on it with \`gridlease provider bid ${jobId} <price>\`.`;
  },
  MarketBidCapReached: ([jobId, maxBids]) =>
    `Job #${jobId} already has the maximum of ${n(maxBids)} bids: no more can be committed. Look for another job.`,
  MarketAlreadyBid: ([jobId, provider]) =>
    `${provider} already committed a bid on job #${jobId}: reveal it with \`gridlease provider reveal ${jobId}\` once the bid window closes.`,
  MarketZeroCommitment: () => "The bid commitment is zero: commit with `gridlease provider bid`, which computes it.",
  MarketNoCommittedBid: ([jobId, provider]) =>
    `${provider} has no committed, unrevealed bid on job #${jobId} (never committed, or already revealed).`,
  MarketCommitmentMismatch: ([jobId]) =>
    `The price and salt do not match the bid committed on job #${jobId}: reveal with the salt file that was used ` +
    "for the bid (--salt-file, or GRIDLEASE_HOME).",
  MarketInvalidBidPrice: ([price, reserve], f) =>
    `A bid of ${f.price(price)} per GPU-hour is not allowed: it must be above zero and at most the job's ` +
    `maximum price of ${f.price(reserve)} per GPU-hour. Bid lower.`,
  MarketBidNotClosable: ([jobId, provider, status]) =>
    `The bid of ${provider} on job #${jobId} has nothing left to close (status ${BidStatus.label(status as bigint)}, ` +
    "or it is the winning bid).",
  MarketJobHasBids: ([jobId, bidCount]) =>
    `Job #${jobId} already has ${n(bidCount)} bid(s), so it can no longer be cancelled: award it after the reveal ` +
    `window with \`gridlease renter award ${jobId}\` (no valid reveal refunds you in full).`,
  MarketNothingToClaim: ([jobId]) =>
    `Nothing has accrued on job #${jobId} since the last claim (20% is held back until settlement): claim later.`,
  MarketEmptyResult: () => "The result hash is empty: pass --hash <bytes32> or --file <path> to deliver.",
  MarketUriTooLong: ([length, maxLength]) =>
    `The result URI is ${n(length)} bytes long; at most ${n(maxLength)} are allowed. Use a shorter URI.`,
  MarketNotFailable: ([jobId, state]) =>
    `Job #${jobId} is ${JobState.label(state as bigint)}; only a job whose provider did not start or did not ` +
    `deliver in time can be failed. See ${statusCmd(jobId)}.`,
  MarketNothingToWithdraw: ([token, account]) =>
    `${account} has nothing to withdraw from the market in token ${token}.`,
  MarketParameterOutOfBounds: ([parameter, value, min, max]) =>
    `The market parameter ${marketParameter(parameter)} = ${n(value)} is outside its bounds ` +
    `[${n(min)}, ${n(max)}]: propose a value within them.`,

  // ------------------------------------------------------------------------------------------------
  // ProviderRegistry (IProviderRegistry)
  // ------------------------------------------------------------------------------------------------
  RegistryZeroAddress: ([what]) => `The registry was given the zero address as "${what}".`,
  RegistryZeroAmount: () => "The amount is zero: pass a positive amount of GRL.",
  RegistryNotProvider: ([account]) =>
    `${account} is not a registered provider: run \`gridlease provider register\` first.`,
  RegistryAlreadyRegistered: ([provider]) =>
    `${provider} is already registered as a provider: nothing to do (see \`gridlease provider status\`).`,
  RegistryMetadataTooLong: ([length, maxLength]) =>
    `The metadata URI is ${n(length)} bytes long; at most ${n(maxLength)} are allowed. Use a shorter URI.`,
  RegistryZeroGpuModel: () =>
    "The GPU model is empty: name a model from the catalogue (see `gridlease provider gpu list`).",
  RegistryZeroGpuCount: ([model], f) =>
    `A GPU line needs at least one GPU (${f.model(model)}): pass --count 1 or more, or remove the line with ` +
    "`gridlease provider gpu remove`.",
  RegistryZeroVram: ([model], f) => `The VRAM of ${f.model(model)} must be above zero: pass --vram <GB>.`,
  RegistryGpuModelNotListed: ([provider, model], f) =>
    `${provider} lists no ${f.model(model)} GPUs: add them with \`gridlease provider gpu set ${f.model(model)} --count <n>\`.`,
  RegistryGpusLeased: ([model, leased, requested], f) =>
    `${n(leased)} ${f.model(model)} GPUs are leased to running jobs, so the line cannot go down to ${n(requested)}: ` +
    "wait for those jobs to end.",
  RegistryNoGpusListed: ([provider]) =>
    `${provider} lists no GPUs, so it cannot go online: add some with \`gridlease provider gpu set <model> --count <n>\`.`,
  RegistryAvailabilityUnchanged: ([online]) =>
    `The provider is already ${online ? "online" : "offline"}: nothing to do.`,
  RegistryInsufficientStake: ([required, bonded], f) =>
    `Your bonded stake (${f.grl(bonded)}) does not cover the minimum of ${f.grl(required)} for your listed GPUs: ` +
    "stake more with `gridlease provider stake <GRL>`.",
  RegistryUnbondExceedsFree: ([requested, free], f) =>
    `You asked to unbond ${f.grl(requested)} but only ${f.grl(free)} of your stake is free: unbond less.`,
  RegistryNothingUnbonding: ([provider]) =>
    `${provider} has no stake unbonding: request it with \`gridlease provider unbond <GRL>\`.`,
  RegistryUnbondingLocked: ([unlocksAt], f) =>
    `Your unbonding stake is locked until ${f.time(unlocksAt)}: withdraw it after that.`,
  RegistryLockExceedsFree: ([requested, free], f) =>
    `This needs ${f.grl(requested)} of free stake (bid bond plus collateral) but you have ${f.grl(free)} free: ` +
    "stake more with `gridlease provider stake <GRL>`, or wait for your other bids to be released.",
  RegistryExceedsLocked: ([provider, requested, locked], f) =>
    `The market tried to release or slash ${f.grl(requested)} of ${provider}'s locked stake, which is ${f.grl(locked)} (an internal accounting fault: report it).`,
  RegistryInvalidSlashRecipient: ([recipient]) => `A slash was sent to an invalid recipient (${recipient}).`,
  RegistryStakeOverflow: ([total], f) =>
    `Your total stake would be ${f.grl(total)}, more than the registry can account for: stake less.`,
  RegistryInsufficientGpus: ([model, available, requested], f) =>
    `Only ${n(available)} ${f.model(model)} GPUs are free (not leased), and the job needs ${n(requested)}: list more or wait for running jobs to end.`,
  RegistryReleaseExceedsLeased: ([model, leased, requested], f) =>
    `The market tried to release ${n(requested)} ${f.model(model)} GPUs with only ${n(leased)} leased (an internal accounting fault: report it).`,
  RegistryProviderOffline: ([provider]) =>
    `${provider} is offline: go online with \`gridlease provider online\` first.`,
  RegistryVramTooLow: ([model, vramGb, minVramGb], f) =>
    `Your ${f.model(model)} GPUs have ${n(vramGb)} GB of VRAM and the job needs at least ${n(minVramGb)} GB: this job is not for you.`,
  RegistryRegionMismatch: ([region, requiredRegion]) =>
    `The job requires region ${n(requiredRegion)} and you are registered in region ${n(region)}: this job is not for you.`,
  RegistryReputationTooLow: ([reputation, minReputation]) =>
    `Your reputation (${n(reputation)}) is below the job's minimum (${n(minReputation)}): this job is not for you.`,
  RegistryParameterOutOfBounds: ([parameter, value, min, max]) =>
    `The registry parameter ${parameter} = ${n(value)} is outside its bounds [${n(min)}, ${n(max)}].`,

  // ------------------------------------------------------------------------------------------------
  // Settlement (ISettlement)
  // ------------------------------------------------------------------------------------------------
  SettlementZeroAddress: ([what]) =>
    `The settlement contract was given the zero address as "${what}": pass a real address.`,
  SettlementSelfRecipient: () =>
    "The settlement contract cannot receive credits or minted GRL itself: pass your own address (or another account).",
  SettlementZeroAmount: () => "The amount is zero: pass a positive amount.",
  SettlementSlippage: ([credits, minCredits], f) =>
    `The purchase would give ${f.usd18(credits)} of credits, less than the minimum of ${f.usd18(minCredits)} ` +
    "(the GRL price moved, or the amount is too small): retry, or allow more slippage with --slippage.",
  SettlementInsufficientCredits: ([account, balance, needed], f) =>
    `${account} has ${f.usd18(balance)} of credits and this needs ${f.usd18(needed)}: buy more with ` +
    "`gridlease renter buy-credits <GRL>`.",
  SettlementEscrowExceeded: ([escrowed, requested], f) =>
    `The market tried to release ${f.usd18(requested)} of credits with ${f.usd18(escrowed)} escrowed (an internal accounting fault: report it).`,
  SettlementNoEarnings: ([account]) => `${account} has no USD earnings to withdraw as GRL.`,
  SettlementMintRoundsToZero: ([usdAmount]) =>
    `Your earnings (${String(usdAmount)} wei of USD) are worth less than the smallest GRL unit at today's price, ` +
    "or no GRL was burned for the credits that paid them (their GRL cap is zero): they stay credited; withdraw later.",
  SettlementZeroFloor: () =>
    "The market passed a zero mint floor for credits (an internal accounting fault: report it).",
  SettlementUnknownTicket: ([ticketId]) => `There is no mint ticket #${ticketId}.`,
  SettlementNothingToClaim: ([ticketId]) =>
    `Mint ticket #${ticketId} has nothing released yet (the epoch's mint cap is used up): claim it in a later epoch.`,
  SettlementEpochNotEnded: ([epoch, currentEpoch]) =>
    `Epoch ${n(epoch)} has not ended (the current epoch is ${n(currentEpoch)}): claim its emission after it ends.`,
  SettlementNoEmission: ([epoch, provider]) =>
    `${provider} has no emission to claim for epoch ${n(epoch)} (no GPU-hours delivered, or already claimed).`,
  SettlementParameterOutOfBounds: ([parameter, value, min, max]) =>
    `The settlement parameter ${settlementParameter(parameter)} = ${n(value)} is outside its ` +
    `bounds [${n(min)}, ${n(max)}].`,

  // ------------------------------------------------------------------------------------------------
  // GridleaseToken (IGridleaseToken)
  // ------------------------------------------------------------------------------------------------
  TokenZeroAddress: ([role]) => `The GRL token was given the zero address as "${role}".`,
  TokenZeroAmount: () => "Minting zero GRL is not allowed.",

  // ------------------------------------------------------------------------------------------------
  // ChainlinkPriceOracle and SequencerGuardedOracle (IPriceOracle)
  // ------------------------------------------------------------------------------------------------
  OracleStaleAnswer: ([updatedAt, heartbeat], f) =>
    `The GRL/USD price is stale (last updated ${f.time(updatedAt)}, older than the ${String(heartbeat)} s heartbeat), ` +
    "so nothing priced in GRL can happen now: wait for the feed to update (on a local chain, publish a new answer).",
  OracleNonPositiveAnswer: ([answer]) =>
    `The GRL/USD feed answered ${String(answer)}, not a positive price: wait for the feed to recover.`,
  OracleAnswerOutOfBounds: ([answer, minAnswer, maxAnswer], f) =>
    `The GRL/USD feed answered ${f.feedAnswer(answer)}, outside the sane range ${f.feedAnswer(minAnswer)} to ` +
    `${f.feedAnswer(maxAnswer)}: wait for the feed to recover.`,
  OracleIncompleteRound: ([roundId]) =>
    `The GRL/USD feed's round ${String(roundId)} is incomplete: wait for the feed to finish its update and retry.`,
  OracleSequencerDown: ([, since], f) =>
    `The L2 sequencer is down (since ${f.time(since)}), so the GRL/USD price cannot be trusted and nothing priced in ` +
    "GRL can happen now (new jobs, credit purchases, earnings withdrawals): wait for the sequencer to come back " +
    "and for the grace period after it to pass, then retry. Jobs already under way are not affected.",
  OracleSequencerRecovering: ([upSince, gracePeriod], f) =>
    `The L2 sequencer came back at ${f.time(upSince)} and prices stay refused for ${n(gracePeriod)} s after that, ` +
    `while the feed catches up: retry from ${f.time(BigInt(String(upSince)) + BigInt(String(gracePeriod)) + 1n)}.`,
  OracleSequencerStatusUnknown: ([roundId]) =>
    `The L2 sequencer uptime feed has not reported a status yet (round ${n(roundId)} has no start time), so an ` +
    "outage cannot be ruled out: wait for the feed to be initialised and retry.",
  OracleInvalidConfig: ([what]) => `The price oracle is misconfigured (${what}).`,

  // ------------------------------------------------------------------------------------------------
  // OpenZeppelin errors inherited by the deployed contracts
  // ------------------------------------------------------------------------------------------------
  AccessControlUnauthorizedAccount: ([account, role], f) =>
    `${account} lacks the ${f.role(role)} needed for this action: only governance (or the role holder) can do it.`,
  AccessControlBadConfirmation: () => "A role can only be renounced by its own holder.",
  EnforcedPause: () =>
    "New jobs, bids and credit purchases are paused by the guardian; jobs under way, settlements and withdrawals " +
    "still work. Try again once the protocol is unpaused.",
  ExpectedPause: () => "The contract is not paused.",
  ReentrancyGuardReentrantCall: () => "A reentrant call was refused (a token called back into the protocol).",
  SafeERC20FailedOperation: ([token]) =>
    `A transfer of token ${token} failed: check your balance and allowance of that token.`,
  AddressEmptyCode: ([target]) =>
    `The market delegated the call to ${target}, which has no code: this deployment is broken; report it.`,
  FailedCall: () =>
    "The market's call to its disputes module failed without a reason: report it (GRIDLEASE_RPC_URL, the job id and the command).",
  SafeCastOverflowedUintDowncast: ([bits, value]) =>
    `The value ${String(value)} does not fit in ${n(bits)} bits: use a smaller amount.`,
  ERC20InsufficientBalance: ([sender, balance, needed], f) =>
    `${sender} has ${f.token(balance)} and this needs ${f.token(needed)}: top the account up first.`,
  ERC20InsufficientAllowance: ([spender, allowance, needed], f) =>
    `The allowance for ${spender} is ${f.token(allowance)} and this needs ${f.token(needed)}: retry (the CLI approves ` +
    "what it needs), or use --permit.",
  ERC20InvalidApprover: ([approver]) => `The approver ${approver} is invalid (the zero address).`,
  ERC20InvalidReceiver: ([receiver]) => `The receiver ${receiver} is invalid (the zero address): pass a real address.`,
  ERC20InvalidSender: ([sender]) => `The sender ${sender} is invalid (the zero address).`,
  ERC20InvalidSpender: ([spender]) => `The spender ${spender} is invalid (the zero address).`,
  ERC20ExceededSafeSupply: ([increasedSupply, cap], f) =>
    `Minting would raise GRL's supply to ${f.grl(increasedSupply)}, above the voting-safe cap of ${f.grl(cap)}.`,
  ERC2612ExpiredSignature: ([deadline], f) =>
    `The permit signature expired at ${f.time(deadline)}: retry (a fresh permit is signed each time).`,
  ERC2612InvalidSigner: ([signer, owner]) =>
    `The permit was signed by ${signer}, not by the owner ${owner}: retry without --permit.`,
  ECDSAInvalidSignature: () => "The signature is invalid: retry without --permit.",
  ECDSAInvalidSignatureLength: ([length]) =>
    `The signature has an invalid length (${n(length)} bytes): retry without --permit.`,
  ECDSAInvalidSignatureS: () => "The signature is malleable (invalid s value): retry without --permit.",
  InvalidAccountNonce: ([account, currentNonce]) =>
    `The signed nonce of ${account} is out of date (current nonce ${n(currentNonce)}): retry, which signs a fresh permit.`,
  InvalidShortString: () => "A token name is not a valid short string.",
  StringTooLong: ([str]) => `The string "${str}" is too long.`,
  CheckpointUnorderedInsertion: () => "A votes checkpoint was written out of order (an internal fault: report it).",
  ERC5805FutureLookup: ([timepoint, clock], f) =>
    `Votes at ${f.time(timepoint)} cannot be read yet (the clock is at ${f.time(clock)}).`,
  ERC6372InconsistentClock: () => "The token's votes clock is inconsistent (an internal fault: report it).",
  VotesExpiredSignature: ([expiry], f) => `The delegation signature expired at ${f.time(expiry)}: sign a new one.`,

  // ------------------------------------------------------------------------------------------------
  // Local stand-ins (GridleaseLocal)
  // ------------------------------------------------------------------------------------------------
  MockAggregatorNotOwner: ([caller]) => `${caller} is not the owner of the local GRL/USD feed: use the deployer's key.`,
};
