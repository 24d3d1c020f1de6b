// The discrete-event queue: actions ordered by simulated time, ties broken by scheduling order, so a
// run replays identically. Background actions (price updates, availability, cash-outs) keep the
// market ticking but do not by themselves keep a draining run alive.

export interface ScheduledAction {
  at: number;
  label: string;
  background: boolean;
  run: () => Promise<void>;
}

interface Entry extends ScheduledAction {
  seq: number;
}

export class Scheduler {
  private readonly heap: Entry[] = [];
  private seq = 0;
  private foreground = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Actions that are not background ones. */
  get pendingForeground(): number {
    return this.foreground;
  }

  schedule(at: number, label: string, run: () => Promise<void>, background = false): void {
    this.push({ at: Math.floor(at), label, run, background, seq: this.seq++ });
    if (!background) this.foreground++;
  }

  peek(): ScheduledAction | undefined {
    return this.heap[0];
  }

  pop(): ScheduledAction | undefined {
    const top = this.heap[0];
    if (top === undefined) return undefined;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    if (!top.background) this.foreground--;
    return top;
  }

  private before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private down(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < heap.length && this.before(heap[left], heap[best])) best = left;
      if (right < heap.length && this.before(heap[right], heap[best])) best = right;
      if (best === i) return;
      [heap[i], heap[best]] = [heap[best], heap[i]];
      i = best;
    }
  }
}
