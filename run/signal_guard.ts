/**
 * Server processes run in process groups of their own, which a terminal's Ctrl-C does not reach.
 * A caller that passes no abort signal has no way to stop such a run: then the run itself listens
 * to SIGINT, SIGTERM and SIGHUP, stops gracefully (every server process reaped), and raises the
 * signal again.
 *
 * @module
 */

/** Signals a run listens to while it has server processes and its caller gave no abort signal. */
const GUARDED_SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Runs `run` with an abort signal that SIGINT, SIGTERM or SIGHUP aborts; once it has finished,
 * raises the caught signal again.
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
  const controller = new AbortController();
  let caught: Deno.Signal | null = null;
  const listeners = GUARDED_SIGNALS.map((signal) => {
    const listener = () => {
      caught ??= signal;
      controller.abort();
    };
    Deno.addSignalListener(signal, listener);
    return () => Deno.removeSignalListener(signal, listener);
  });
  try {
    return await run(controller.signal);
  } finally {
    for (const remove of listeners) remove();
    if (caught) Deno.kill(Deno.pid, caught);
  }
}
