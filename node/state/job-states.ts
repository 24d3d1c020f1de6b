// The life of a job on the provider node, as the node records it. Pure: which transitions are allowed.

/** Where a job the node holds stands, in order; `failed` is reachable from any non-final state. */
export const NODE_JOB_STATES = [
  "won",
  "spec-received",
  "running",
  "finished",
  "delivered",
  "claimed",
  "failed",
] as const;
/** One of {@link NODE_JOB_STATES}. */
export type NodeJobState = (typeof NODE_JOB_STATES)[number];

/** The states a job may move to from each state (moving to the state it is in is always an idempotent no-op). */
const NEXT: Readonly<Record<NodeJobState, readonly NodeJobState[]>> = {
  won: ["spec-received", "failed"],
  "spec-received": ["running", "failed"],
  running: ["finished", "failed"],
  finished: ["delivered", "failed"],
  delivered: ["claimed"],
  claimed: [],
  failed: [],
};

/** Whether a job in `from` may move to `to`. */
export function canTransition(from: NodeJobState, to: NodeJobState): boolean {
  return from === to || NEXT[from].includes(to);
}

/** Whether the node has nothing more to do for a job in `state`. */
export function isFinalNodeState(state: NodeJobState): boolean {
  return NEXT[state].length === 0;
}

/** Thrown for a transition the state machine does not allow (a bug, or two drivers racing on one job). */
export class NodeStateTransitionError extends Error {
  readonly jobId: bigint;
  readonly from: NodeJobState;
  readonly to: NodeJobState;

  constructor(jobId: bigint, from: NodeJobState, to: NodeJobState) {
    super(
      `job ${jobId} cannot go from ${from} to ${to}: only ${NEXT[from].join(", ") || "nothing"} may follow ${from}`,
    );
    this.name = "NodeStateTransitionError";
    this.jobId = jobId;
    this.from = from;
    this.to = to;
  }
}
