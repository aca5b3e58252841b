// The last folded state of recently used streams, so a command reads only the events appended
// since, instead of its whole stream (a schedule's grows with every change). Streams are append
// only and states are immutable values, so a cached state never goes stale: it is only behind.
export class StateCache {
  private readonly entries = new Map<string, { version: number; state: unknown }>();

  constructor(private readonly capacity = 1000) {}

  get(key: string): { version: number; state: unknown } | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Most recently used last: the first entry is the one to evict.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, version: number, state: unknown): void {
    this.entries.delete(key);
    this.entries.set(key, { version, state });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
}
