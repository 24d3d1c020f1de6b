// The market's arithmetic (JobMath), restated independently so tests can state exact expectations.
import { FEE_BPS, HOLDBACK_BPS, HOUR, USDC } from "./market.ts";

/** 100% in basis points. */
export const BPS = 10_000n;

/** The default request of jobRequest: 4 GPUs for 10 hours at a $2.00 reserve. */
export const GPUS = 4n;
export const DURATION = 10n * HOUR;
export const RESERVE = 2n * USDC;

/** `bps` of `amount`, rounded down. */
export function bpsOf(amount: bigint, bps: bigint): bigint {
  return (amount * bps) / BPS;
}

/** `bps` of `amount`, rounded up. */
export function bpsOfUp(amount: bigint, bps: bigint): bigint {
  return ceilDiv(amount * bps, BPS);
}

/** a / b rounded up. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** price x GPUs x seconds / 1 hour, rounded down (IJobMarket.jobValue). */
export function jobValue(price: bigint, gpus: bigint = GPUS, duration: bigint = DURATION): bigint {
  return (price * gpus * duration) / HOUR;
}

/** Gross pay accrued after `elapsed` of `duration` seconds, rounded down. */
export function accrued(value: bigint, elapsed: bigint, duration: bigint = DURATION): bigint {
  return elapsed >= duration ? value : (value * elapsed) / duration;
}

/** Pay the provider may have released once `accruedPay` accrued: accrued less the holdback rounded up. */
export function releasable(accruedPay: bigint, holdbackBps: bigint = HOLDBACK_BPS): bigint {
  return accruedPay - bpsOfUp(accruedPay, holdbackBps);
}

/** The protocol fee on a gross payout (rounded down). */
export function feeOf(gross: bigint): bigint {
  return bpsOf(gross, FEE_BPS);
}

/** What the provider nets from a gross payout. */
export function netOf(gross: bigint): bigint {
  return gross - feeOf(gross);
}
