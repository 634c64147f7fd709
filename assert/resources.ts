/**
 * Assertions on the resources a run uses up: TIME_WAIT sockets, connect errors (ports, file
 * descriptors), open file descriptors, HTTP/2 streams, listen-queue overflows, and server
 * processes that must stay up.
 *
 * @module
 */

import { exitText } from "../report/process_exit.ts";
import { crashHintLine } from "../report/crash_hint.ts";
import { formatDuration } from "../units/duration.ts";
import type { RunReport } from "../report/types.ts";
import type { Assertion, AssertionOutcome } from "./assertion.ts";
import { clientFleetPeak } from "./client_processes.ts";

/**
 * The run's sockets in TIME_WAIT (either end, the run's server ports) stay below `n` at every
 * census (about once a second): connections are being reused, not churned.
 *
 * @param n The bound.
 * @returns The assertion.
 * @throws {RangeError} If `n` is not a positive integer.
 *
 * @example
 * ```ts
 * import { timeWaitBelow } from "./resources.ts";
 *
 * const assert = [timeWaitBelow(1000)];
 * ```
 */
export function timeWaitBelow(n: number): Assertion {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`timeWaitBelow(${n}): expected a positive whole number of sockets`);
  }
  return {
    name: "timeWaitBelow",
    description: `TIME_WAIT sockets below ${n}`,
    check(report) {
      if (!report.sockets) {
        return {
          pass: false,
          measured: "not measured",
          detail: "no socket census (/proc/net/tcp)",
        };
      }
      return {
        pass: report.sockets.peakTimeWait < n,
        measured: `peak ${report.sockets.peakTimeWait} in TIME_WAIT`,
      };
    },
  };
}

const CONNECT_CLASSES = new Set([
  "connection_refused",
  "address_unavailable",
  "too_many_open_files",
]);

/**
 * No request failed to connect: no connection refused, no address unavailable (ephemeral ports
 * exhausted), no "too many open files", nor any other error raised while connecting.
 *
 * @returns The assertion.
 *
 * @example
 * ```ts
 * import { noConnectErrors } from "./resources.ts";
 *
 * const assert = [noConnectErrors()];
 * ```
 */
export function noConnectErrors(): Assertion {
  return {
    name: "noConnectErrors",
    description: "no connection errors",
    check(report) {
      const connect = report.errors.filter((e) =>
        CONNECT_CLASSES.has(e.class) || e.message.includes("(Connect)")
      );
      const count = connect.reduce((sum, e) => sum + e.count, 0);
      return count === 0 ? { pass: true, measured: "none" } : {
        pass: false,
        measured: `${count} connection errors`,
        detail: connect.slice(0, 3).map((e) => `${e.count} ${e.class}`).join(", "),
      };
    },
  };
}

/**
 * The runtime's open file descriptors stay below `n` (peak of the once-a-second samples); with
 * `{ of: "<command client fleet>" }`, each of its client processes' (their process trees').
 *
 * @param n The bound.
 * @returns The assertion.
 * @throws {RangeError} If `n` is not a positive integer.
 *
 * @example
 * ```ts
 * import { fdsBelow } from "./resources.ts";
 *
 * const assert = [fdsBelow(10_000)];
 * ```
 */
export function fdsBelow(n: number, options: { of?: string } = {}): Assertion {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`fdsBelow(${n}): expected a positive whole number of descriptors`);
  }
  return {
    name: "fdsBelow",
    description: `open file descriptors${options.of ? ` of ${options.of}` : ""} below ${n}`,
    check(report) {
      if (options.of !== undefined) return clientFdsBelow(report, options.of, n);
      const peak = report.process.peakOpenFds;
      if (peak === null) {
        return { pass: false, measured: "not measured", detail: "no /proc/PID/fd on this system" };
      }
      return {
        pass: peak < n,
        measured: `peak ${peak}${
          report.process.fdLimit === null ? "" : ` (limit ${report.process.fdLimit})`
        }`,
      };
    },
  };
}

/**
 * HTTP/2 streams open at once on one connection stay below `n` on every HTTP/2 server (server
 * view). Deno.serve admits 200 per connection: a client whose timeouts do not cancel leaks streams
 * until it reaches that limit (seed 004). With `{ of: "<command client fleet>" }`, judged on that
 * fleet's processes' connections instead (the peak on one of them, as the servers counted it).
 *
 * @param n The bound.
 * @param options `of`: a command client fleet. @default {every HTTP/2 server}
 * @returns The assertion.
 * @throws {RangeError} If `n` is not a positive integer.
 *
 * @example
 * ```ts
 * import { openStreamsBelow } from "./resources.ts";
 *
 * // every HTTP/2 server's connections; then only those of the client fleet "node"
 * const assert = [openStreamsBelow(200), openStreamsBelow(200, { of: "node" })];
 * ```
 */
export function openStreamsBelow(n: number, options: { of?: string } = {}): Assertion {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`openStreamsBelow(${n}): expected a positive whole number of streams`);
  }
  return {
    name: "openStreamsBelow",
    // What the servers see: a request in the handler or a response still sending, not the
    // client's streams in flight (a fast server answers 10 streams in flight one at a time).
    description: `HTTP/2 streams open at the server on a connection${
      options.of ? ` of ${options.of}` : ""
    } below ${n}`,
    check(report) {
      if (options.of !== undefined) return clientStreamsBelow(report, options.of, n);
      const h2 = report.servers.filter((s) => s.streams !== null);
      if (h2.length === 0) {
        return { pass: false, measured: "not measured", detail: "no HTTP/2 server in the run" };
      }
      const peak = Math.max(...h2.map((s) => s.streams!.peakOnOneConnection));
      const open = h2.reduce((sum, s) => sum + s.streams!.openAtEnd, 0);
      return {
        pass: peak < n,
        measured: `peak ${peak} on one connection; ${open} open at the end`,
      };
    },
  };
}

/**
 * The kernel refused no connection attempt at a full listen queue during the run (`ListenDrops`
 * and `ListenOverflows` in `/proc/net/netstat` did not grow). The counters are the network
 * namespace's: in a run without a namespace of its own, other listeners on the host count too.
 *
 * @returns The assertion.
 *
 * @example
 * ```ts
 * import { noListenOverflows } from "./resources.ts";
 *
 * const assert = [noListenOverflows()];
 * ```
 */
export function noListenOverflows(): Assertion {
  return {
    name: "noListenOverflows",
    description: "no connection attempt dropped at a full listen queue",
    check(report) {
      const listen = report.listen;
      if (!listen) {
        return {
          pass: false,
          measured: "not measured",
          detail: "no kernel counters (/proc/net/netstat TcpExt ListenOverflows, ListenDrops)",
        };
      }
      const dropped = Math.max(listen.overflows, listen.drops);
      const scope = listen.scope === "namespace" ? "in the run's namespace" : "host-wide";
      return dropped === 0 ? { pass: true, measured: `none (${scope})` } : {
        pass: false,
        measured: `${listen.overflows} overflows, ${listen.drops} drops (${scope})`,
        detail: listen.hints[0],
      };
    },
  };
}

/**
 * Every server process (server host or the user's command) stays up until wedge stops it. Added
 * by the runtime to every run that has server processes; exported to be named in a scenario too.
 *
 * @returns The assertion.
 *
 * @example
 * ```ts
 * import { serverProcessesStayUp } from "./resources.ts";
 *
 * const assert = [serverProcessesStayUp()];
 * ```
 */
export function serverProcessesStayUp(): Assertion {
  return {
    name: "serverProcessesStayUp",
    description: "server processes stay up until the run stops them",
    check(report) {
      // A process wedge could not signal (no permission) was not stopped by the run: a failure.
      const unsignalled = report.serverProcesses.filter((p) => (p.stopFailure ?? null) !== null);
      if (unsignalled.length) {
        return {
          pass: false,
          measured: unsignalled.map((p) => `${p.name} could not be signalled`).join("; "),
          detail: unsignalled.map((p) =>
            `wedge could not signal ${p.name} (pid ${p.pid}): ${p.stopFailure}; its supervisor ` +
            "killed its process group instead"
          ).join("\n"),
        };
      }
      const early = report.serverProcesses.filter((p) => p.exit?.early);
      if (early.length === 0) {
        return { pass: true, measured: `${report.serverProcesses.length} stayed up` };
      }
      return {
        pass: false,
        measured: early.map((p) => `${p.name} exited with ${exitText(p.exit!)}`).join("; "),
        detail: early.map((p) =>
          `${p.name} (${p.command}) exited with ${exitText(p.exit!)} ${
            formatDuration(Math.max(0, p.exit!.atMs))
          } into the load; its stderr ends:\n${
            p.exit!.stderrTail.trim() || "(nothing)"
          }\n(whole log: ${p.stderrLog})${crashHintLine(p.exit!.stderrTail)}`
        ).join("\n"),
      };
    },
  };
}

/** `fdsBelow(n, { of })`: the peak open fds of a command client fleet's processes. */
function clientFdsBelow(report: RunReport, of: string, n: number): AssertionOutcome {
  const top = clientFleetPeak(report, { of, value: (p) => p.peakOpenFds });
  if (top === null) {
    return { pass: false, measured: "not measured", detail: `no open-fd reading of ${of}` };
  }
  const limit = top.process.fdLimit === null ? "" : ` (limit ${top.process.fdLimit})`;
  return { pass: top.peak < n, measured: `peak ${top.peak} in ${top.process.name}${limit}` };
}

/** `openStreamsBelow(n, { of })`: the peak streams on one connection of a client fleet. */
function clientStreamsBelow(report: RunReport, of: string, n: number): AssertionOutcome {
  const top = clientFleetPeak(report, { of, value: (p) => p.peakStreamsOnOneConnection });
  if (top === null) {
    return {
      pass: false,
      measured: "not measured",
      detail: `no HTTP/2 stream count for a connection of ${of} (its servers speak HTTP/1.1, ` +
        "or wedge cannot count inside them)",
    };
  }
  return {
    pass: top.peak < n,
    measured: `peak ${top.peak} on one connection of ${top.process.name}`,
  };
}
