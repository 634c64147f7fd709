/**
 * Live progress on stderr: redrawn in place on a terminal, one line per second otherwise.
 * Renders only.
 *
 * @module
 */

import { formatDuration } from "../units/duration.ts";
import type { ProgressSample, RunPhase } from "../run/run_scenario.ts";
import { renderStallDiagnosis } from "../report/text/stall.ts";

/** Options for {@linkcode createProgressDisplay}. */
export interface ProgressDisplayOptions {
  /** Where to write. @default {Deno.stderr} */
  writer?: { writeSync(p: Uint8Array): number };
  /** Redraw one line in place (a terminal) or print a line per second. @default {Deno.stderr.isTerminal()} */
  tty?: boolean;
}

/** A progress display. */
export interface ProgressDisplay {
  /** Shows a sample. */
  progress(sample: ProgressSample): void;
  /** Shows a phase change. */
  phase(phase: RunPhase): void;
  /** Ends the display (moves past the in-place line). */
  close(): void;
}

/**
 * Formats one progress line.
 *
 * @param s A progress sample.
 * @returns E.g. `[  3.2s] 120000/1000000 (12.0%)  18234 req/s  in flight 5120  errors 0`.
 *
 * @example
 * ```ts
 * import { formatProgress } from "./progress_display.ts";
 * import assert from "node:assert/strict";
 *
 * const line = formatProgress({
 *   elapsedMs: 1000, planned: 100, sent: 60, completed: 50, inFlight: 10, errors: 0, recentRps: 50,
 * });
 * assert.match(line, /50\/100 \(50\.0%\)/);
 * ```
 */
export function formatProgress(s: ProgressSample): string {
  const done = s.planned === null
    ? `${s.completed} done`
    : `${s.completed}/${s.planned} (${((s.completed / Math.max(1, s.planned)) * 100).toFixed(1)}%)`;
  return `[${formatDuration(s.elapsedMs).padStart(7)}] ${done}  ${
    Math.round(s.recentRps)
  } req/s  in flight ${s.inFlight}  errors ${s.errors}`;
}

function describePhase(p: RunPhase): string {
  switch (p.phase) {
    case "servers":
      return `starting ${p.count} servers`;
    case "clients":
      return `starting ${p.clients} clients on ${p.workers} worker threads`;
    case "load":
      return "load started";
    case "round":
      return `${p.warmup ? "warm-up load" : "load"} ${p.round} of ${p.rounds}`;
    case "settle":
      return `settling ${formatDuration(p.settleMs)} before reading memory`;
    case "stopping":
      return `stopping: ${p.reason}`;
    case "stalled":
      return renderStallDiagnosis(p.diagnosis).trimEnd();
  }
}

/**
 * Creates a progress display.
 *
 * @param options Writer and terminal mode.
 * @returns The display.
 *
 * @example
 * ```ts
 * import { createProgressDisplay } from "./progress_display.ts";
 *
 * const display = createProgressDisplay({ tty: false });
 * display.phase({ phase: "load" });
 * display.close();
 * ```
 */
export function createProgressDisplay(options: ProgressDisplayOptions = {}): ProgressDisplay {
  const writer = options.writer ?? Deno.stderr;
  const tty = options.tty ?? Deno.stderr.isTerminal();
  const encoder = new TextEncoder();
  const write = (text: string) => writer.writeSync(encoder.encode(text));
  let lastLineAt = -Infinity;
  let drawn = false;
  return {
    progress(sample) {
      if (tty) {
        write(`\r\x1b[2K${formatProgress(sample)}`);
        drawn = true;
      } else if (sample.elapsedMs - lastLineAt >= 1000) {
        lastLineAt = sample.elapsedMs;
        write(`${formatProgress(sample)}\n`);
      }
    },
    phase(p) {
      if (drawn) write("\n");
      drawn = false;
      write(`wedge: ${describePhase(p)}\n`);
    },
    close() {
      if (drawn) write("\n");
      drawn = false;
    },
  };
}
