/**
 * The memory assertion, {@linkcode rssDeltaBelow}: resident memory over repeated loads grows less
 * than a bound or plateaus, judged by the leak verdict.
 *
 * @module
 */

import { type ByteSize, formatByteSize, parseByteSize } from "../units/byte_size.ts";
import { type Duration, parseDuration } from "../units/duration.ts";
import { judgeLeak } from "../report/leak_verdict.ts";
import type { Assertion } from "./assertion.ts";
import { isClientFleet, judgeClientMemory } from "./client_processes.ts";

/** Options for {@linkcode rssDeltaBelow}. */
export interface RssDeltaOptions {
  /**
   * Whose memory: `"servers"` (every server process: server hosts and commands), `"runtime"`
   * (wedge's own process, clients included), a server fleet's name, or a command client fleet's
   * (its processes' RSS over their own life, `warmup` and `iterations` as shares of it).
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
 * import { rssDeltaBelow } from "./memory.ts";
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
      if (isClientFleet(report, of)) {
        return judgeClientMemory(report, { of, boundBytes, warmup, iterations });
      }
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
