/**
 * Assertions: data plus a pure check over the run report. New assertions are new constructors; the
 * runner never changes for them.
 *
 * @module
 */

import { type ByteSize, formatByteSize, parseByteSize } from "../units/byte_size.ts";
import { type Duration, formatDuration, parseDuration } from "../units/duration.ts";
import { judgeLeak } from "../report/leak_verdict.ts";
import type { StallProgress } from "../report/stall_diagnosis.ts";
import type { AssertionResult, LatencySummary, RunReport } from "../report/types.ts";

/** Options for {@linkcode noStallLongerThan}. */
export interface NoStallOptions {
  /** What counts as progress. @default {"completions"} */
  progress?: StallProgress;
}

/** The shortest stall bound the watchdog can judge (snapshots every 250 ms, ticks every 100 ms). */
const MIN_STALL_BOUND_MS = 1000;

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

/**
 * Judges assertions on a report.
 *
 * @param report The run report (without verdicts).
 * @param assertions The scenario's assertions.
 * @returns One result per assertion, in order. A check that throws is a failed assertion.
 *
 * @example
 * ```ts
 * import { defineScenario, hello, runScenario } from "../mod.ts";
 * import { judge, throughputAtLeast } from "./assertions.ts";
 * import assert from "node:assert/strict";
 *
 * const report = await runScenario(defineScenario({
 *   name: "tiny",
 *   description: "one hello server",
 *   servers: [{ behavior: hello() }],
 *   clients: [{ requests: 10 }],
 * }));
 * const [result] = judge(report, [throughputAtLeast(1)]);
 * assert.equal(result.pass, true);
 * ```
 */
export function judge(report: RunReport, assertions: readonly Assertion[]): AssertionResult[] {
  return assertions.map((assertion) => {
    try {
      const outcome = assertion.check(report);
      return {
        name: assertion.name,
        description: assertion.description,
        pass: outcome.pass,
        measured: outcome.measured,
        ...(outcome.detail ? { detail: outcome.detail } : {}),
      };
    } catch (error) {
      return {
        name: assertion.name,
        description: assertion.description,
        pass: false,
        measured: "check failed",
        detail: `the check threw: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  });
}

/**
 * Every planned request ended with a response (no errors, none left in flight or unsent), and the
 * run was not cut short by its time limit. In duration mode: nothing left in flight or erroring.
 *
 * @returns The assertion.
 *
 * @example
 * ```ts
 * import { allRequestsComplete } from "./assertions.ts";
 *
 * const assert = [allRequestsComplete()];
 * ```
 */
export function allRequestsComplete(): Assertion {
  return {
    name: "allRequestsComplete",
    description: "every request completes with a response",
    check(report) {
      const t = report.totals;
      const responses = t.completed - t.errors;
      const owed = t.planned === null ? t.sent : t.planned;
      const measured = `${responses}/${owed} got a response`;
      const problems: string[] = [];
      if (t.planned !== null && t.sent < t.planned) {
        problems.push(`${t.planned - t.sent} never sent`);
      }
      if (t.inFlight > 0) problems.push(`${t.inFlight} still in flight at the end`);
      if (t.errors > 0) problems.push(`${t.errors} ended in an error`);
      if (report.outcome !== "completed") problems.push(report.outcomeDetail);
      return problems.length === 0
        ? { pass: true, measured }
        : { pass: false, measured, detail: problems.join("; ") };
    },
  };
}

/**
 * At least this share of completed requests got a status below 400.
 *
 * @param rate A share between 0 and 1, e.g. `0.999`.
 * @returns The assertion.
 * @throws {RangeError} If `rate` is not within [0, 1].
 *
 * @example
 * ```ts
 * import { successRateAtLeast } from "./assertions.ts";
 *
 * const assert = [successRateAtLeast(0.999)];
 * ```
 */
export function successRateAtLeast(rate: number): Assertion {
  if (!(rate >= 0 && rate <= 1)) {
    throw new RangeError(`successRateAtLeast(${rate}): expected a share between 0 and 1`);
  }
  return {
    name: "successRateAtLeast",
    description: `success rate at least ${formatPercent(rate)}`,
    check(report) {
      const measured = `${
        formatPercent(report.successRate)
      } (${report.totals.ok}/${report.totals.completed})`;
      if (report.totals.completed === 0) {
        return { pass: false, measured, detail: "no request completed" };
      }
      return { pass: report.successRate >= rate, measured };
    },
  };
}

/**
 * Which latency an assertion judges. `corrected`: from each request's intended send time (the open
 * model's default; the same as `service` in a closed loop); `service`: from the moment it was
 * actually sent; `queue`: how long it waited to be sent.
 */
export type LatencyHistogramName = "corrected" | "service" | "queue";

/** Options for {@linkcode latencyBelow}. */
export interface LatencyOptions {
  /** Which latency to judge. @default {"corrected"} */
  histogram?: LatencyHistogramName;
}

/** Latency bounds by statistic, e.g. `{ p99: "50ms", max: "1s" }`. */
export type LatencyBounds = Partial<
  Record<"min" | "mean" | "max" | keyof LatencySummary["percentiles"], Duration>
>;

/**
 * Latency statistics stay below the given bounds.
 *
 * @param bounds Bounds per statistic: `p50`, `p75`, `p90`, `p95`, `p99`, `p99.9`, `mean`, `min`, `max`.
 * @param options Which latency to judge (open model: corrected by default).
 * @returns The assertion.
 * @throws {RangeError} If no bound is given, a key is unknown, or a duration does not parse.
 *
 * @example
 * ```ts
 * import { latencyBelow } from "./assertions.ts";
 *
 * const assert = [latencyBelow({ p99: "50ms" })];
 * ```
 */
export function latencyBelow(bounds: LatencyBounds, options: LatencyOptions = {}): Assertion {
  const known = ["min", "mean", "max", "p50", "p75", "p90", "p95", "p99", "p99.9"];
  const entries = Object.entries(bounds).map(([key, value]) => {
    if (!known.includes(key)) {
      throw new RangeError(
        `latencyBelow: unknown statistic "${key}"; use one of ${known.join(", ")}`,
      );
    }
    return [key, parseDuration(value as Duration)] as const;
  });
  if (entries.length === 0) {
    throw new RangeError('latencyBelow: give at least one bound, e.g. { p99: "50ms" }');
  }
  const histogram = options.histogram ?? "corrected";
  const which = histogram === "corrected" ? "" : `${histogram} `;
  return {
    name: "latencyBelow",
    description: entries.map(([k, ms]) => `${k} ${which}latency below ${formatDuration(ms)}`)
      .join(", "),
    check(report) {
      // A closed loop has one latency: service and corrected are the same; it has no queue.
      const l = report.latencyBreakdown?.[histogram] ??
        (histogram === "queue" ? null : report.latency);
      if (l === null) {
        return {
          pass: false,
          measured: "not measured",
          detail: "queue latency exists only in an open model: give the client fleet a rate",
        };
      }
      const values = entries.map(([key, limit]) => {
        const value = key === "min" || key === "mean" || key === "max"
          ? l[key]
          : l.percentiles[key as keyof LatencySummary["percentiles"]];
        return { key, limit, value };
      });
      const measured = values.map((v) => `${v.key} = ${formatDuration(v.value)}`).join(", ");
      if (l.count === 0) {
        return {
          pass: false,
          measured: "no latency recorded",
          detail: "no request got a response",
        };
      }
      const over = values.filter((v) => !(v.value < v.limit));
      return over.length === 0 ? { pass: true, measured } : {
        pass: false,
        measured,
        detail: over.map((v) =>
          `${v.key} ${formatDuration(v.value)} is not below ${formatDuration(v.limit)}`
        ).join("; "),
      };
    },
  };
}

/**
 * Completed requests per second over the load phase reach at least `rps`.
 *
 * @param rps Requests per second.
 * @returns The assertion.
 * @throws {RangeError} If `rps` is not a positive number.
 *
 * @example
 * ```ts
 * import { throughputAtLeast } from "./assertions.ts";
 *
 * const assert = [throughputAtLeast(1000)];
 * ```
 */
export function throughputAtLeast(rps: number): Assertion {
  if (!(rps > 0) || !Number.isFinite(rps)) {
    throw new RangeError(`throughputAtLeast(${rps}): expected a positive number of requests/s`);
  }
  return {
    name: "throughputAtLeast",
    description: `throughput at least ${rps} req/s`,
    check(report) {
      return {
        pass: report.requestsPerSecond >= rps,
        measured: `${report.requestsPerSecond.toFixed(1)} req/s`,
      };
    },
  };
}

function formatPercent(share: number): string {
  return `${(share * 100).toFixed(share >= 0.9995 && share < 1 ? 2 : 1)}%`;
}

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
 * import { noStallLongerThan } from "./assertions.ts";
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
      // A stall of the other kind of progress stopped the run: judge this kind on what was seen.
      if (report.stall && report.stall.progress === progress) {
        const d = report.stall;
        const measured = `stalled from ${
          formatDuration(d.progressStoppedAtMs)
        } into the load, ${d.inFlight} requests in flight`;

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
 * import { timeWaitBelow } from "./assertions.ts";
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
 * import { noConnectErrors } from "./assertions.ts";
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
 * The runtime's open file descriptors stay below `n` (peak of the once-a-second samples).
 *
 * @param n The bound.
 * @returns The assertion.
 * @throws {RangeError} If `n` is not a positive integer.
 *
 * @example
 * ```ts
 * import { fdsBelow } from "./assertions.ts";
 *
 * const assert = [fdsBelow(10_000)];
 * ```
 */
export function fdsBelow(n: number): Assertion {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`fdsBelow(${n}): expected a positive whole number of descriptors`);
  }
  return {
    name: "fdsBelow",
    description: `open file descriptors below ${n}`,
    check(report) {
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
 * until it reaches that limit (seed 004).
 *
 * @param n The bound.
 * @returns The assertion.
 * @throws {RangeError} If `n` is not a positive integer.
 *
 * @example
 * ```ts
 * import { openStreamsBelow } from "./assertions.ts";
 *
 * const assert = [openStreamsBelow(200)];
 * ```
 */
export function openStreamsBelow(n: number): Assertion {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`openStreamsBelow(${n}): expected a positive whole number of streams`);
  }
  return {
    name: "openStreamsBelow",
    description: `open HTTP/2 streams on a connection below ${n}`,
    check(report) {
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

/** Options for {@linkcode rssDeltaBelow}. */
export interface RssDeltaOptions {
  /**
   * Whose memory: `"servers"` (every server process: server hosts and commands), `"runtime"`
   * (wedge's own process, clients included) or a server fleet's name.
   * @default {"servers"}
   */
  of?: string;
  /** Loads before the baseline reading (they warm caches and allocators). @default {1} */
  warmup?: number;
  /** Loads measured after the baseline (seed 002's TRIES). @default {5} */
  iterations?: number;
  /** Quiet time after each load before memory is read. @default {"1s"} */
  settle?: Duration;
}

/**
 * Resident memory grows by less than `bound` over repeated loads, or stops growing (a plateau):
 * the verdict of "is it a leak?". The run repeats its load `warmup` times, reads memory (the
 * baseline), then repeats it `iterations` times, reading memory after each load has settled. A
 * plateau after the first iterations (an allocator keeping freed memory for reuse) passes with
 * its numbers; growth that goes on through the later iterations fails as a leak, with the growth
 * per iteration and per request.
 *
 * @param bound The allowed growth, e.g. `"2MiB"`.
 * @param options Whose memory, warm-up, iterations and settle time.
 * @returns The assertion.
 * @throws {RangeError} If an option is out of range.
 *
 * @example The server keeps no memory per request
 * ```ts
 * import { rssDeltaBelow } from "./assertions.ts";
 *
 * const assert = [rssDeltaBelow("2MiB", { of: "servers", iterations: 5 })];
 * ```
 */
export function rssDeltaBelow(bound: ByteSize, options: RssDeltaOptions = {}): Assertion {
  const boundBytes = parseByteSize(bound);
  const of = options.of ?? "servers";
  const warmup = options.warmup ?? 1;
  const iterations = options.iterations ?? 5;
  const settleMs = parseDuration(options.settle ?? "1s");
  if (!Number.isInteger(warmup) || warmup < 0) {
    throw new RangeError(`rssDeltaBelow: expected warmup to be a whole number >= 0, got ${warmup}`);
  }
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new RangeError(
      `rssDeltaBelow: expected iterations to be a whole number >= 1, got ${iterations}`,
    );
  }
  return {
    name: "rssDeltaBelow",
    description: `${of} memory grows less than ${
      formatByteSize(boundBytes)
    } over ${iterations} iterations (after ${warmup} warm-up)`,
    watch: { memory: { of, warmup, iterations, settleMs } },
    check(report) {
      const memory = report.memory;
      const notJudged = (why: string) => ({ pass: false, measured: "not judged", detail: why });
      if (!memory) return notJudged("no memory readings (/proc/PID/status could not be read)");
      const picked = memory.processes.flatMap((p, i) =>
        (of === "servers"
            ? p.role !== "runtime"
            : of === "runtime"
            ? p.role === "runtime"
            : p.fleet === of)
          ? [i]
          : []
      );
      if (picked.length === 0) return notJudged(`no process runs ${of}`);
      const points = [];
      for (let round = warmup; round <= warmup + iterations; round++) {
        const c = memory.checkpoints.find((c) => c.round === round);
        const values = c && picked.map((i) => c.rssBytes[i]);
        if (!c || values!.some((v) => v === null)) {
          return notJudged(
            `the run ended after ${
              Math.max(0, memory.checkpoints.length - 1 - warmup)
            } of ${iterations} iterations (${report.outcomeDetail})`,
          );
        }
        points.push({ completed: c.completed, rssBytes: values!.reduce((a, b) => a! + b!, 0)! });
      }
      const verdict = judgeLeak(points, { boundBytes, what: of });
      return {
        pass: verdict.pass,
        measured: `${verdict.totalBytes >= 0 ? "+" : ""}${
          formatByteSize(verdict.totalBytes)
        } over ${iterations} iterations: ${verdict.kind}`,
        detail: verdict.summary,
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
 * import { serverProcessesStayUp } from "./assertions.ts";
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
          }\n(whole log: ${p.stderrLog})`
        ).join("\n"),
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
 * import { noListenOverflows } from "./assertions.ts";
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

function exitText(exit: { code: number; signal: string | null }): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/**
 * An open model sends at least `share` of the requests its schedule made due (requests dropped
 * because `maxInFlight` were owed, or not sent before the end, count against it).
 *
 * @param share The least share, e.g. `0.99`.
 * @returns The assertion.
 * @throws {RangeError} If `share` is not between 0 and 1.
 *
 * @example
 * ```ts
 * import { rateAchieved } from "./assertions.ts";
 *
 * const assert = [rateAchieved(0.99)];
 * ```
 */
export function rateAchieved(share: number): Assertion {
  if (!(share > 0 && share <= 1)) {
    throw new RangeError(`rateAchieved(${share}): expected a share above 0, at most 1`);
  }
  return {
    name: "rateAchieved",
    description: `at least ${formatPercent(share)} of the scheduled rate sent`,
    check(report) {
      const r = report.rate;
      if (!r) {
        return {
          pass: false,
          measured: "no rate",
          detail: 'no client fleet has a rate: give one, e.g. rate: "1000/s"',
        };
      }
      const measured = `${formatPercent(r.achieved)} (${r.sent} of ${r.scheduled} scheduled; ${
        r.achievedPerSecond.toFixed(0)
      }/s of ${r.targetPerSecond.toFixed(0)}/s; ${r.late} late, ${r.dropped} dropped)`;
      return r.achieved >= share ? { pass: true, measured } : {
        pass: false,
        measured,
        detail: r.dropped
          ? `${r.dropped} requests were dropped: more than maxInFlight were owed (the server or the lanes could not keep up)`
          : "the lanes could not send on schedule: raise concurrency (lanes), or the load generator is the limit",
      };
    },
  };
}
