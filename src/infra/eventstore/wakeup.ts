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

  /** Resolves after `ms`, or earlier when signalled (at once if a signal came since the last wait). */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
