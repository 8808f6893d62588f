/**
 * What a long operation reports its progress to. Nothing below the CLI prints: the CLI passes a
 * sink that draws on a terminal (src/cli/progress.ts) and stays quiet when piped; the server passes
 * none, or one that feeds its metrics.
 */
export interface ProgressSink {
  /** Starts (or restarts) a phase; `total` enables a percentage. */
  phase(label: string, total?: number): void;
  /** Advances the current phase by `n` (default 1). */
  tick(n?: number): void;
}
