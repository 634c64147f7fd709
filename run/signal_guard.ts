/**
 * Server processes run in process groups of their own, which a terminal's Ctrl-C does not reach.
 * A caller that passes no abort signal has no way to stop such a run: then the run itself listens
 * to the stop signals, with the CLI's one listener (`stop_signals.ts`): the first SIGINT, SIGTERM,
 * SIGHUP or SIGQUIT stops it gracefully (every server process reaped), another one later kills the
 * server processes and exits 128 + N. Once a stopped run has finished, its signal is raised again.
 *
 * @module
 */

import { listenForStopSignals } from "./stop_signals.ts";

/**
 * Runs `run` with an abort signal that the first stop signal aborts; once it has finished, raises
 * the caught signal again (the process then ends as that signal's default does).
 *
 * @param run The run, given the signal.
 * @returns What `run` returned.
 *
 * @example
 * ```ts ignore
 * const report = await guardSignals((signal) => runPlanned(scenario, plan, { signal }));
 * ```
 */
export async function guardSignals<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const encoder = new TextEncoder();
  const stops = listenForStopSignals((text) => Deno.stderr.writeSync(encoder.encode(text)), {
    then: "runScenario returns its partial report",
  });
  try {
    return await run(stops.signal);
  } finally {
    stops.close();
    if (stops.caught) Deno.kill(Deno.pid, stops.caught);
  }
}
