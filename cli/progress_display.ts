/**
 * Live progress on stderr: redrawn in place on a terminal (cut to its width, so a redraw never
 * leaves a wrapped line behind), one line per second otherwise. Renders only.
 *
 * @module
 */

import { formatByteSize } from "../units/byte_size.ts";
import { formatDuration } from "../units/duration.ts";
import type { ProgressSample, RunPhase } from "../run/run_scenario.ts";
import { renderStallDiagnosis } from "../report/text/stall.ts";

/** Options for {@linkcode createProgressDisplay}. */
export interface ProgressDisplayOptions {
  /** Where to write. @default {Deno.stderr} */
  writer?: { writeSync(p: Uint8Array): number };
  /** Redraw one line in place (a terminal) or print a line per second. @default {Deno.stderr.isTerminal()} */
  tty?: boolean;
  /**
   * Columns of the terminal, read at every redraw (it may be resized); null: no cut.
   * @default {Deno.consoleSize().columns on a terminal, else null}
   */
  columns?: () => number | null;
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

/** Options for {@linkcode formatProgress}. */
export interface FormatProgressOptions {
  /**
   * Columns the line must fit in: fields are left out, least telling first (RSS, TIME_WAIT, in
   * flight, req/s, fds, errors), and a first field still too wide is cut, so that it takes at
   * most `columns - 1` (a terminal may wrap a line that fills its last column).
   * @default {no limit}
   */
  columns?: number | null;
}

/**
 * Formats one progress line: time, done/total, rate, in flight, errors, then (when the sample has
 * them) the runtime's open fds against its limit, its RSS and the run's TIME_WAIT sockets, `n/a`
 * where unknown.
 *
 * @param s A progress sample.
 * @param options The width to fit in.
 * @returns E.g. `[  3.20s] 120000/1000000 (12.0%)  18234 req/s  in flight 5120  errors 0  fds
 *   3045/20000  RSS 384.46MiB  TIME_WAIT 896`.
 *
 * @example
 * ```ts
 * import { formatProgress } from "./progress_display.ts";
 * import assert from "node:assert/strict";
 *
 * const sample = {
 *   elapsedMs: 1000, planned: 100, sent: 60, completed: 50, inFlight: 10, errors: 0, recentRps: 50,
 *   openFds: 30, fdLimit: 1024, rssBytes: null, timeWait: 0,
 * };
 * assert.match(formatProgress(sample), /50\/100 \(50\.0%\).* fds 30\/1024  RSS n\/a  TIME_WAIT 0$/);
 * assert.ok(formatProgress(sample, { columns: 40 }).length < 40);
 * ```
 */
export function formatProgress(s: ProgressSample, options: FormatProgressOptions = {}): string {
  const na = (n: number | null) => (n === null ? "n/a" : String(n));
  const done = s.source === "servers"
    ? `${na(s.completed)} answered by the servers`
    : s.planned === null || s.completed === null
    ? `${na(s.completed)} done`
    : `${s.completed}/${s.planned} (${((s.completed / Math.max(1, s.planned)) * 100).toFixed(1)}%)`;
  // Each field with its rank: when the line must be cut, the highest rank goes first.
  const fields: [string, number][] = [
    [`[${formatDuration(s.elapsedMs).padStart(7)}] ${done}`, 0],
    [`${s.recentRps === null ? "n/a" : Math.round(s.recentRps)} req/s`, 3],
    [`in flight ${na(s.inFlight)}`, 4],
    [`errors ${na(s.errors)}`, 1],
  ];
  if (s.openFds !== undefined) fields.push([`fds ${s.openFds ?? "n/a"}/${s.fdLimit ?? "n/a"}`, 2]);
  if (s.rssBytes !== undefined) {
    fields.push([`RSS ${s.rssBytes === null ? "n/a" : formatByteSize(s.rssBytes)}`, 6]);
  }
  if (s.timeWait !== undefined) fields.push([`TIME_WAIT ${s.timeWait ?? "n/a"}`, 5]);
  return fitFields(fields, options.columns ?? null);
}

/**
 * Joins fields with two spaces in at most `columns - 1` characters: the fields of highest rank
 * are left out first, and a first field still too wide is cut.
 */
function fitFields(fields: [string, number][], columns: number | null): string {
  const join = (kept: [string, number][]) => kept.map(([text]) => text).join("  ");
  if (columns === null) return join(fields);
  const room = Math.max(1, columns - 1);
  const kept = [...fields];
  while (kept.length > 1 && join(kept).length > room) {
    const worst = kept.reduce((w, f, i) => (f[1] > kept[w][1] ? i : w), 0);
    kept.splice(worst, 1);
  }
  return join(kept).slice(0, room);
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
  const columns = options.columns ?? (tty ? terminalColumns : () => null);
  const encoder = new TextEncoder();
  const write = (text: string) => writer.writeSync(encoder.encode(text));
  let lastLineAt = -Infinity;
  let drawn = false;
  return {
    progress(sample) {
      if (tty) {
        write(`\r\x1b[2K${formatProgress(sample, { columns: columns() })}`);
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

/** The columns of the terminal on stderr, or null when it cannot tell. */
function terminalColumns(): number | null {
  try {
    return Deno.consoleSize().columns || null;
  } catch {
    return null;
  }
}
