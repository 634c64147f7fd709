/**
 * Deno sets up its process-wide signal handling on first use, and that takes two file descriptors
 * (a socket pair). If they cannot be had, Deno 2.9.6 panics (`ext/signals/lib.rs:58`: "Too many
 * open files") instead of failing the call. Every Deno process reaches that first use by itself
 * 500 ms after it starts (the SIGUSR1 inspector listener, `cli/worker.rs`), so a server host
 * that is at its open-files limit at that moment (the `emfile` scenario, under a slower machine's
 * timing) died there rather than reporting its servers' EMFILE.
 *
 * @module
 */

/**
 * Makes Deno set up its signal handling now, while the process has descriptors to spare: a
 * SIGWINCH listener (ignored by default) is added and removed at once. Call it first thing in a
 * process that may run out of descriptors within its first 500 ms.
 *
 * @example
 * ```ts
 * import { setUpSignalHandling } from "./signal_setup.ts";
 *
 * setUpSignalHandling();
 * ```
 */
export function setUpSignalHandling(): void {
  const ignore = () => {};
  Deno.addSignalListener("SIGWINCH", ignore);
  Deno.removeSignalListener("SIGWINCH", ignore);
}
