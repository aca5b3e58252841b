// Replay progress: a bar on a terminal, plain lines otherwise (logs, CI, pipes).
import cliProgress from 'cli-progress';

export interface ReplayProgress {
  start(projection: string, total: number): void;
  update(done: number, total: number): void;
  finish(done: number): void;
}

/** Writes nothing. */
export const silentProgress: ReplayProgress = { start: () => undefined, update: () => undefined, finish: () => undefined };

/** A cli-progress bar on `stream`. */
export function barProgress(stream: NodeJS.WriteStream = process.stderr): ReplayProgress {
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(projection, total) {
      bar = new cliProgress.SingleBar(
        { stream, format: `replay ${projection} [{bar}] {percentage}% | {value}/{total} events | {eta_formatted} left`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(total, 1), 0);
    },
    update(done, total) {
      bar?.setTotal(Math.max(total, done, 1));
      bar?.update(done);
    },
    finish(done) {
      bar?.setTotal(Math.max(done, 1));
      bar?.update(done);
      bar?.stop();
    },
  };
}

/** One line per ~10% (and at most one per `minIntervalMs`), e.g. `replay roster: 1200/5000 events (24%)`. */
export function lineProgress(write: (line: string) => void = (line) => process.stdout.write(line + '\n'), minIntervalMs = 1000): ReplayProgress {
  let name = '';
  let lastPercent = -1;
  let lastAt = 0;
  return {
    start(projection, total) {
      name = projection;
      lastPercent = -1;
      lastAt = 0;
      write(`replay ${name}: starting, ${total} events to apply`);
    },
    update(done, total) {
      const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
      if (percent >= lastPercent + 10 && Date.now() - lastAt >= minIntervalMs) {
        lastPercent = percent;
        lastAt = Date.now();
        write(`replay ${name}: ${done}/${total} events (${percent}%)`);
      }
    },
    finish(done) {
      write(`replay ${name}: done, ${done} events applied`);
    },
  };
}

/** The bar when `stream` is a terminal, lines otherwise. */
export function autoProgress(stream: NodeJS.WriteStream = process.stderr): ReplayProgress {
  return stream.isTTY ? barProgress(stream) : lineProgress();
}
