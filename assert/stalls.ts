/**
 * The stall assertion, {@linkcode noStallLongerThan}: no period with requests owed and none
 * completing lasts as long as the bound; it arms the stall watchdog.
 *
 * @module
 */

import { type Duration, formatDuration, parseDuration } from "../units/duration.ts";
import { stallTargets } from "../report/client_stall_diagnosis.ts";
import type { StallProgress } from "../report/stall_diagnosis.ts";
import type { Assertion } from "./assertion.ts";

/** Options for {@linkcode noStallLongerThan}. */
export interface NoStallOptions {
  /** What counts as progress. @default {"completions"} */
  progress?: StallProgress;
}

/** The shortest stall bound the watchdog can judge (snapshots every 250 ms, ticks every 100 ms). */
const MIN_STALL_BOUND_MS = 1000;

/**
 * No stall longer than `bound`: a stall is a period in which requests are in flight (or still
 * owed) and none completes. Arms the stall watchdog, which stops a stalled run after `bound`,
 * diagnoses where the requests are stuck, and ends everything cleanly.
 *
 * @param bound The longest stall allowed, e.g. `"5s"`; at least 1 s.
 * @param options `progress`: what counts as progress (default: any completion).
 * @returns The assertion.
 * @throws {RangeError} If `bound` does not parse or is under 1 s.
 *
 * @example
 * ```ts
 * import { noStallLongerThan } from "./stalls.ts";
 *
 * const assert = [noStallLongerThan("5s")];
 * ```
 */
export function noStallLongerThan(
  bound: Duration,
  options: NoStallOptions = {},
): Assertion {
  const progress = options.progress ?? "completions";
  const boundMs = parseDuration(bound);
  if (!(boundMs >= MIN_STALL_BOUND_MS)) {
    throw new RangeError(
      `noStallLongerThan(${
        JSON.stringify(bound)
      }): expected at least 1s; the watchdog sees progress in 250ms snapshots`,
    );
  }
  return {
    name: "noStallLongerThan",
    description: `no stall longer than ${formatDuration(boundMs)}${
      progress === "responses" ? " (progress = responses)" : ""
    }`,
    watch: { stallMs: boundMs, progress },
    check(report) {
      if (report.watchdog === null) {
        return {
          pass: false,
          measured: "not judged",
          detail: "the run was not watched for stalls (watchdog: false)",
        };
      }
      // A command client stall (no new request at the servers while a client holds connections).
      const clientStall = report.commandClients?.stall;
      if (clientStall && clientStall.boundMs <= boundMs) {
        return {
          pass: false,
          measured: `client stall: no new request at ${stallTargets(clientStall)} from ${
            formatDuration(clientStall.lastRequestAtMs)
          } into the load while ${
            clientStall.processes.map((p) => p.name).join(", ")
          } held connections`,
          detail: clientStall.hints[0],
        };
      }
      // A stall of the other kind of progress stopped the run: judge this kind on what was seen.
      if (report.stall && report.stall.progress === progress) {
        const d = report.stall;
        const measured = `stalled from ${formatDuration(d.progressStoppedAtMs)} into the load, ${
          d.inFlight ?? "n/a"
        } requests in flight`;

        if (d.boundMs < boundMs) {
          return {
            pass: false,
            measured,
            detail: `not judged: a shorter bound (${
              formatDuration(d.boundMs)
            }) stopped the run first, so how long the stall would have lasted is unknown`,
          };
        }
        return { pass: false, measured, detail: d.hints[0] ?? "see the stall diagnosis" };
      }
      if (report.clients.length === 0 && report.commandClients?.received === null) {
        return {
          pass: false,
          measured: "not judged",
          detail: "no progress to watch: every client is your own program and a server it loads " +
            "is one wedge cannot count requests in (received n/a); add a wedge client fleet, or " +
            "load wedge's own servers, for the watchdog to see progress",
        };
      }
      const longest = report.longestStallByProgress[progress];
      const measured = longest
        ? `longest stall ${formatDuration(longest.durationMs)} (from ${
          formatDuration(longest.fromMs)
        })`
        : "no stall";
      return { pass: !longest || longest.durationMs < boundMs, measured };
    },
  };
}
