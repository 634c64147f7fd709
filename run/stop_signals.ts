/**
 * The stop signals of a run, an exploration or a shrink search (the CLI's and `--shrink`'s one
 * listener): the first one stops it gracefully (the partial report, or the best shape so far, is
 * still printed), the same one again within a second counts once, another one later kills every
 * server process at once and exits.
 *
 * @module
 */

import { killTrackedGroups } from "../system/process_reaper.ts";

/** Signals that stop a run (gracefully; a second one, later, forcefully), with their numbers. */
const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGQUIT: 3 } as const;

/** A signal that stops a run. */
export type StopSignal = keyof typeof SIGNAL_NUMBERS;

const STOP_SIGNALS = Object.keys(SIGNAL_NUMBERS) as StopSignal[];

/**
 * The same signal again within this many ms of the first is the same stop, delivered twice: one
 * Ctrl-C under `deno task` reaches wedge from the terminal (to the whole process group) and from the
 * task runner (which forwards it).
 */
const DUPLICATE_SIGNAL_MS = 1000;

/**
 * The exit code of a run aborted by a signal: 128 + the signal's number, as shells report it
 * (the CLI's `EXIT.sighup` ... `EXIT.sigterm`).
 *
 * @param signal The signal wedge caught.
 * @returns 129 (SIGHUP), 130 (SIGINT), 131 (SIGQUIT) or 143 (SIGTERM).
 *
 * @example
 * ```ts
 * import { signalExitCode } from "./stop_signals.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(signalExitCode("SIGINT"), 130);
 * ```
 */
export function signalExitCode(signal: StopSignal): number {
  return 128 + SIGNAL_NUMBERS[signal];
}

/** The stop signals being listened for, and what they did. */
export interface StopSignals {
  /** Aborted by the first stop signal. */
  readonly signal: AbortSignal;
  /** The first stop signal caught, or null while none was. */
  readonly caught: StopSignal | null;
  /** Stops listening (the default handlers apply again). */
  close(): void;
}

/** Options of {@linkcode listenForStopSignals}. */
export interface StopSignalsOptions {
  /**
   * What becomes of the stopped run, said with the first signal.
   * @default {"the partial report follows"}
   */
  then?: string;
}

/**
 * Listens for SIGINT, SIGTERM, SIGHUP and SIGQUIT until `close()`. The first one aborts `signal`
 * and says so on `err`; the same one again within a second is ignored (one Ctrl-C under
 * `deno task` arrives twice); another one later kills every tracked server process group and
 * exits with {@linkcode signalExitCode}.
 *
 * @param err Where to say what a signal did.
 * @param options What becomes of the stopped run (said with the first signal).
 * @returns The listeners' state; close it once the report is out.
 *
 * @example
 * ```ts
 * import { listenForStopSignals } from "./stop_signals.ts";
 * import assert from "node:assert/strict";
 *
 * const stops = listenForStopSignals((text) => console.error(text));
 * try {
 *   assert.equal(stops.caught, null);
 *   assert.equal(stops.signal.aborted, false);
 * } finally {
 *   stops.close();
 * }
 * ```
 */
export function listenForStopSignals(
  err: (text: string) => void,
  options: StopSignalsOptions = {},
): StopSignals {
  const then = options.then ?? "the partial report follows";
  const abort = new AbortController();
  let caught: { signal: StopSignal; atMs: number } | null = null;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = () => {
      const now = performance.now();
      if (caught === null) {
        caught = { signal, atMs: now };
        err(
          `wedge: ${signal}: stopping the run (${then}); send it again to kill the servers at once\n`,
        );
        abort.abort();
        return;
      }
      if (signal === caught.signal && now - caught.atMs < DUPLICATE_SIGNAL_MS) return;
      killTrackedGroups();
      err(`wedge: ${signal} after ${caught.signal}: server processes killed\n`);
      Deno.exit(signalExitCode(signal));
    };
    Deno.addSignalListener(signal, listener);
    return { signal, listener };
  });
  return {
    signal: abort.signal,
    get caught() {
      return caught?.signal ?? null;
    },
    close() {
      for (const { signal, listener } of listeners) Deno.removeSignalListener(signal, listener);
    },
  };
}
