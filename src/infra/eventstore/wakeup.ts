// A sleep that can be cut short: pollers wait on it between empty reads, and append hints
// (NOTIFY, EventStoreDB live events) or a stop request wake them early.
export class Wakeup {
  private pending = false;
  private wake: (() => void) | undefined;

  /** Wakes the current or the next wait. */
  signal(): void {
    if (this.wake) {
      const wake = this.wake;
      this.wake = undefined;
      wake();
    } else {
      this.pending = true;
    }
  }

  /**
   * Resolves after `ms`, or earlier when signalled (at once if a signal came since the last wait);
   * to true when signalled.
   */
  wait(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve(false);
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}

/**
 * How long to wait after an empty read: briefly at first, doubling up to the poll interval. An
 * append can be committed yet still hidden from readAll while an older transaction anywhere on
 * the server is running; when that transaction ends nobody sends a hint, so readers re-check
 * soon after activity instead of sleeping a whole poll interval.
 */
export class IdleBackoff {
  private emptyReads = 0;

  constructor(
    private readonly pollIntervalMs: number,
    private readonly firstRetryMs = 5,
  ) {}

  /** The wait before the next read after an empty one. */
  next(): number {
    const ms = Math.min(this.pollIntervalMs, this.firstRetryMs * 2 ** Math.min(this.emptyReads, 20));
    this.emptyReads += 1;
    return ms;
  }

  /** Events arrived or a hint came: start again from the short wait. */
  reset(): void {
    this.emptyReads = 0;
  }
}
