/**
 * The shared core of assertions: {@linkcode Assertion} (a requirement as data plus a pure check
 * over the run report), what its check returns, and what it asks the run to watch live. New
 * assertions are new constructors; the runner never changes for them.
 *
 * @module
 */

import type { StallProgress } from "../report/stall_diagnosis.ts";
import type { RunReport } from "../report/types.ts";

/** What an assertion's check returns. */
export interface AssertionOutcome {
  /** Whether the requirement holds. */
  pass: boolean;
  /** The measured value, for the report line. */
  measured: string;
  /** Why it failed, when it did. */
  detail?: string;
}

/** A requirement on a run, judged on its report. */
export interface Assertion {
  /** Constructor name, e.g. `latencyBelow`. */
  readonly name: string;
  /** What is required, e.g. `p99 latency below 50ms`. */
  readonly description: string;
  /** Judges the report; must be pure. */
  check(report: RunReport): AssertionOutcome;
  /**
   * What the run must watch live for this assertion to be judged: `stallMs` arms the stall
   * watchdog, which stops the run (and diagnoses it) after a stall that long.
   */
  readonly watch?: {
    readonly stallMs?: number;
    readonly progress?: StallProgress;
    readonly memory?: MemoryWatch;
    /** Probe every server once the load eased (`report.servers[i].probe`). */
    readonly probe?: boolean;
  };
}

/**
 * What a memory assertion asks of the run: the load repeated `warmup` times before a baseline,
 * then `iterations` times, each followed by `settleMs` of quiet before memory is read; and whose
 * memory (`of`): `"servers"`, `"runtime"` or a server fleet's name.
 */
export interface MemoryWatch {
  /** Whose memory: `"servers"`, `"runtime"` or a server fleet name. */
  readonly of: string;
  /** Loads before the baseline. */
  readonly warmup: number;
  /** Loads measured after the baseline. */
  readonly iterations: number;
  /** Quiet time after each load before memory is read, ms. */
  readonly settleMs: number;
}
