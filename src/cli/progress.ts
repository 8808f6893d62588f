/**
 * Progress on a TTY, silence when piped or with --quiet. Writes to stderr only; stdout stays
 * machine-readable.
 */
import type { ProgressSink } from '../model/progress.js';
import { safeLine } from '../model/text.js';
import { isTerminal, stdio } from './stdio.js';

/** A ProgressSink that draws on stderr (redrawing at most every 100 ms), with a log channel. */
export interface Progress extends ProgressSink {
  /** Ends the progress line. */
  done(): void;
  /** A log line on stderr (not suppressed by TTY detection, only by quiet); what it echoes is escaped and cut (model/text.ts). */
  log(message: string): void;
}

export function createProgress(opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  // stderr itself without building process.stderr (cli/stdio.ts)
  const stream = opts.stream ?? { write: (s: string) => stdio.err(s) };
  const live = !opts.quiet && (opts.stream ? opts.stream.isTTY === true : isTerminal(2));
  let label = '';
  let total: number | undefined;
  let count = 0;
  let last = 0;
  let drawn = false;

  const draw = (force: boolean): void => {
    if (!live) return;
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    const pct = total ? ` ${Math.min(100, Math.floor((count / total) * 100))}%` : '';
    const counter = total ? ` ${count}/${total}${pct}` : count > 0 ? ` ${count}` : '';
    stream.write(`\r\x1b[K${label}${counter}`);
    drawn = true;
  };

  return {
    phase(l, t) {
      if (drawn) {
        draw(true); // the finished phase's final count, then its own line
        stream.write('\n');
      }
      label = safeLine(l);
      total = t;
      count = 0;
      drawn = false;
      draw(true);
    },
    tick(n = 1) {
      count += n;
      draw(false);
    },
    done() {
      if (!live) return;
      if (drawn) stream.write('\r\x1b[K'); // the terminal is left as it was
      drawn = false;
    },
    log(message) {
      if (opts.quiet) return;
      if (drawn) stream.write('\r\x1b[K');
      stream.write(`${safeLine(message)}\n`);
      if (drawn) draw(true);
    },
  };
}
