/**
 * Assertions on command client processes (the user's own clients): {@linkcode clientProcessesSucceed},
 * and the client-process side of `rssDeltaBelow`, `fdsBelow` and `openStreamsBelow`
 * (`{ of: "<client fleet>" }`).
 *
 * @module
 */

import { clientCompleted, describeClientEnd } from "../report/client_process_end.ts";
import { crashHintLine } from "../report/crash_hint.ts";
import { judgeLeak } from "../report/leak_verdict.ts";
import type { ClientProcessReport, RunReport } from "../report/types.ts";
import { formatByteSize } from "../units/byte_size.ts";
import type { Assertion, AssertionOutcome } from "./assertion.ts";

/**
 * Every command client process completed: exited with code 0, or was stopped by wedge at the end
 * of its `duration`. A non-zero exit, a signal, a `timeout` or a process still running when the
 * run stopped fails it, with the stderr tail of the first. Added by default to a scenario with a
 * command client fleet.
 *
 * @returns The assertion.
 *
 * @example
 * ```ts
 * import { clientProcessesSucceed } from "./client_processes.ts";
 *
 * const assert = [clientProcessesSucceed()];
 * ```
 */
export function clientProcessesSucceed(): Assertion {
  return {
    name: "clientProcessesSucceed",
    description: "every client process completes (exit code 0)",
    check(report) {
      const processes = report.commandClients?.processes ?? [];
      if (processes.length === 0) {
        return { pass: false, measured: "not judged", detail: "the run has no client process" };
      }
      const failed = processes.filter((p) => !clientCompleted(p));
      const measured = `${processes.length - failed.length}/${processes.length} completed`;
      if (failed.length === 0) return { pass: true, measured };
      const first = failed[0];
      const tail = first.stderrTail.trim();
      return {
        pass: false,
        measured,
        detail: `${first.name} ${describeClientEnd(first)}${
          tail ? `; its stderr ends:\n${indent(tail)}` : " (its stderr is empty)"
        }${failed.length > 1 ? `\n(and ${failed.length - 1} more)` : ""}${crashHintLine(tail)}`,
      };
    },
  };
}

function indent(text: string): string {
  return text.split("\n").map((line) => `    ${line}`).join("\n");
}

/**
 * Whether `of` names a command client fleet of the report.
 *
 * @param report The run report.
 * @param of A fleet name.
 * @returns True when it does.
 *
 * @example
 * ```ts ignore
 * if (isClientFleet(report, "py")) return judgeClientMemory(report, "py", bound);
 * ```
 */
export function isClientFleet(report: RunReport, of: string): boolean {
  return report.commandClients?.processes.some((p) => p.fleet === of) ?? false;
}

/**
 * Judges a client fleet's memory over each process's own life: its sampled RSS, the first
 * sample after `warmup / (warmup + iterations)` of its life as the baseline, then `iterations`
 * evenly spaced readings, judged by the leak verdict (growth per request uses the servers'
 * answered count). The worst process's verdict is the fleet's.
 *
 * @param report The run report.
 * @param options The fleet, the bound and the iterations.
 * @returns The outcome.
 *
 * @example
 * ```ts ignore
 * return judgeClientMemory(report, { of: "py", boundBytes: 2 << 20, warmup: 1, iterations: 5 });
 * ```
 */
export function judgeClientMemory(
  report: RunReport,
  options: { of: string; boundBytes: number; warmup: number; iterations: number },
): AssertionOutcome {
  const { of, boundBytes, warmup, iterations } = options;
  const processes = report.commandClients!.processes.filter((p) => p.fleet === of);
  let worst: AssertionOutcome | null = null;
  for (const p of processes) {
    const rss = workingReadings(p.rss);
    const parts = warmup + iterations;
    const picks = Array.from(
      { length: iterations + 1 },
      (_, k) => Math.round(((warmup + k) / parts) * (rss.length - 1)),
    );
    if (rss.length < iterations + 1) {
      return {
        pass: false,
        measured: "not judged",
        detail: `${p.name}: ${rss.length} memory readings while requests were answered, ` +
          `${iterations + 1} needed (it ran ${p.runMs ?? "?"}ms; readings are 250ms apart)`,
      };
    }
    const points = picks.map((i) => ({
      completed: rss[i].answered ?? 0,
      rssBytes: rss[i].rssBytes,
    }));
    const verdict = judgeLeak(points, { boundBytes, what: p.name });
    const outcome = {
      pass: verdict.pass,
      measured: `${p.name} ${verdict.totalBytes >= 0 ? "+" : ""}${
        formatByteSize(verdict.totalBytes)
      } over its life: ${verdict.kind}`,
      detail: verdict.summary,
    };
    if (!outcome.pass || worst === null) worst = outcome;
    if (!outcome.pass) break;
  }
  return worst ?? { pass: false, measured: "not judged", detail: `no process of ${of} ran` };
}

/**
 * The readings taken while the servers still answered requests: those after the answered count
 * reached its final value are left out, because a process that has finished its work may be
 * exiting, and an exiting interpreter frees what it kept (Python's drops megabytes in its last
 * milliseconds), which would read as a shrink. When the servers cannot count (null) or the count
 * never moved, every reading is kept.
 */
function workingReadings(
  rss: ClientProcessReport["rss"],
): ClientProcessReport["rss"] {
  const final = rss.at(-1)?.answered ?? null;
  if (final === null) return rss;
  const end = rss.findIndex((r) => r.answered === final);
  return end > 0 ? rss.slice(0, end) : rss;
}

/**
 * The process of a client fleet with the highest reading of `value` (e.g. its peak open fds, or
 * the most HTTP/2 streams open on one of its connections), for `fdsBelow(n, { of })` and
 * `openStreamsBelow(n, { of })`.
 *
 * @param report The run report.
 * @param options `of`: the fleet; `value`: the reading of a process, null where not read.
 * @returns The process and its reading, or null when no process of the fleet has one.
 *
 * @example
 * ```ts ignore
 * const top = clientFleetPeak(report, { of: "py", value: (p) => p.peakOpenFds });
 * ```
 */
export function clientFleetPeak(
  report: RunReport,
  options: { of: string; value: (p: ClientProcessReport) => number | null | undefined },
): { peak: number; process: ClientProcessReport } | null {
  let top: { peak: number; process: ClientProcessReport } | null = null;
  for (const p of report.commandClients?.processes ?? []) {
    const peak = p.fleet === options.of ? options.value(p) ?? null : null;
    if (peak !== null && (top === null || peak > top.peak)) top = { peak, process: p };
  }
  return top;
}
