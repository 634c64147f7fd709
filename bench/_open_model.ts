/**
 * The bench's open-model checks: a fixed rate at 80% of wedge raw's capacity (achieved within 1%,
 * the pacer's lateness), and a server that stalls once for 1 s (in corrected latency, not in
 * service latency), with wrk beside it.
 *
 * @module
 */

import { type HelloProcess, startHelloProcess, startUrlProcess } from "./_hello_process.ts";
import { runBounded } from "./_bench_process.ts";
import { fmt, fmtMs } from "./_format.ts";
import { parseWrk } from "./_tool_output.ts";
import { type BenchLoad, runWedge, wedgeArgs, type WedgeReport, wedgeSets } from "./_wedge_run.ts";

/** The rate check: wedge raw at 80% of its capacity, open model. */
export interface RateCheck {
  capacityRps: number;
  capacitySource: string;
  targetRate: number;
  command: string;
  report?: WedgeReport["rate"];
  requestsPerSecond?: number;
  p99ms?: number;
  /** p99 of queue latency (actual minus intended send: waiting for a connection included), ms. */
  queueP99ms?: number;
  /**
   * The pacer's own lateness: p99 of how late lanes woke for the requests a free connection
   * waited for (`rate.wakeLatenessMs`), ms; undefined when none waited.
   */
  wakeP99ms?: number;
  met?: boolean;
  error?: string;
}

/** The stall check: a server that stalls once for 1 s, at 2000/s. */
export interface StallCheck {
  command: string;
  serverCommand: string;
  corrected?: number;
  service?: number;
  queue?: number;
  rate?: WedgeReport["rate"];
  met?: boolean;
  threshold: { correctedAtLeastMs: number; serviceBelowMs: number };
  error?: string;
  wrk?: { command: string; rps?: number; p99ms?: number; note?: string; error?: string };
}

/**
 * Runs wedge raw at 80% of `capacity` (or of 3 s of closed-loop load when unknown) for 10 s on a
 * fresh Deno hello server: the achieved rate and the pacer's lateness.
 *
 * @param capacity wedge raw's req/s against the Deno server, from the table.
 * @param load The bench's load and abort signal.
 * @returns The check.
 *
 * @example
 * ```ts ignore
 * const rate = await rateCheck(undefined, load);
 * ```
 */
export async function rateCheck(capacity: number | undefined, load: BenchLoad): Promise<RateCheck> {
  const { signal } = load;
  let capacityRps = capacity ?? NaN;
  let capacitySource = "median req/s of 'wedge raw' against the Deno server in the table";
  if (!Number.isFinite(capacityRps)) {
    capacitySource = "3 s of wedge raw against a fresh Deno hello server";
    const server = await startHelloProcess({ forSeconds: 60 });
    try {
      const sets = wedgeSets(server.url, { load, extra: { duration: "3s" } });
      const report = await runWedge(sets, { signal });
      capacityRps = report.requestsPerSecond ?? NaN;
    } finally {
      await server.stop();
    }
  }
  const targetRate = Math.round(capacityRps * 0.8);
  const sets = (url: string) =>
    wedgeSets(url, { load, extra: { rate: `${targetRate}/s`, duration: "10s" } });
  const result: RateCheck = {
    capacityRps,
    capacitySource,
    targetRate,
    command: `deno ${wedgeArgs("<report.json>", sets("URL")).join(" ")}`,
  };
  const server = await startHelloProcess({ forSeconds: 80 });
  try {
    const report = await runWedge(sets(server.url), { signal });
    result.report = report.rate;
    result.requestsPerSecond = report.requestsPerSecond ?? NaN;
    // NaN where nothing was recorded (written as null).
    result.p99ms = report.latency.percentiles.p99 ?? NaN;
    result.queueP99ms = report.latencyBreakdown?.queue.percentiles.p99 ?? NaN;
    result.wakeP99ms = report.rate?.wakeLatenessMs?.p99;
    result.met = (report.rate?.achieved ?? 0) >= 0.99;
  } catch (error) {
    result.error = (error as Error).message;
  } finally {
    await server.stop();
  }
  return result;
}

function startStallServer(): Promise<HelloProcess> {
  return startUrlProcess(Deno.execPath(), [
    "run",
    "-A",
    "bench/stall_server.ts",
    "--for",
    "60s",
    "--stall-after",
    "3",
  ]);
}

/**
 * Runs wedge raw at 2000/s against a server that stalls once for 1 s (the stall shows in corrected
 * latency, not in service latency), then wrk on a fresh one for comparison.
 *
 * @param load The bench's load and abort signal.
 * @param options `wrkSkipped`: why wrk cannot run, when it cannot.
 * @returns The check.
 *
 * @example
 * ```ts ignore
 * const stall = await stallCheck(load, {});
 * ```
 */
export async function stallCheck(
  load: BenchLoad,
  options: { wrkSkipped?: string },
): Promise<StallCheck> {
  const { signal } = load;
  const sets = (url: string) =>
    wedgeSets(url, { load, extra: { rate: "2000/s", duration: "8s", connections: 8 } });
  const wrkStallArgs = (url: string) => ["-t2", "-c16", "-d8s", "--latency", url];
  const result: StallCheck = {
    command: `deno ${wedgeArgs("<report.json>", sets("URL")).join(" ")}`,
    serverCommand: "deno run -A bench/stall_server.ts --for 60s --stall-after 3",
    threshold: { correctedAtLeastMs: 900, serviceBelowMs: 100 },
    wrk: { command: `wrk ${wrkStallArgs("URL").join(" ")}` },
  };
  let server = await startStallServer();
  try {
    const report = await runWedge(sets(server.url), { signal });
    const b = report.latencyBreakdown;
    if (!b) throw new Error("wedge's report has no latencyBreakdown");
    result.corrected = b.corrected.percentiles["p99.9"] ?? NaN;
    result.service = b.service.percentiles["p99.9"] ?? NaN;
    result.queue = b.queue.percentiles["p99.9"] ?? NaN;
    result.rate = report.rate;
    result.met = result.corrected >= result.threshold.correctedAtLeastMs &&
      result.service < result.threshold.serviceBelowMs;
  } catch (error) {
    result.error = (error as Error).message;
  } finally {
    await server.stop();
  }
  if (options.wrkSkipped) {
    result.wrk!.error = `skipped: ${options.wrkSkipped}`;
    return result;
  }
  server = await startStallServer();
  try {
    const out = await runBounded("wrk", wrkStallArgs(server.url), { timeoutS: 40, signal });
    if (out.code !== 0) throw new Error(`wrk failed (exit ${out.code}):\n${out.stderr}`);
    const sample = parseWrk(out.stdout);
    Object.assign(result.wrk!, { rps: sample.rps, p99ms: sample.p99ms, note: sample.note });
  } catch (error) {
    result.wrk!.error = (error as Error).message;
  } finally {
    await server.stop();
  }
  return result;
}

/**
 * Prints both checks.
 *
 * @param rate The rate check.
 * @param stall The stall check.
 *
 * @example
 * ```ts ignore
 * printOpenModel(await rateCheck(undefined, load), await stallCheck(load, {}));
 * ```
 */
export function printOpenModel(rate: RateCheck, stall: StallCheck): void {
  console.log("");
  console.log("### Open model");
  console.log("");
  console.log(
    `Rate at 80% of capacity: capacity ${fmt(rate.capacityRps)} req/s (${rate.capacitySource})`,
  );
  if (rate.error || !rate.report) {
    console.log(`  FAILED: ${rate.error ?? "the report has no rate section"}`);
  } else {
    const r = rate.report;
    console.log(
      `  target ${rate.targetRate}/s (wedge's targetPerSecond ${fmt(r.targetPerSecond, 1)}), ` +
        `achieved ${fmt(r.achievedPerSecond, 1)}/s; scheduled ${r.scheduled}, sent ${r.sent}`,
    );
    console.log(
      `  rate.achieved ${fmt(r.achieved, 4)} (>= 0.99: ${rate.met ? "met" : "not met"}), ` +
        `late ${r.late} (${r.lateBusy ?? "?"} with every connection busy), dropped ${r.dropped}, ` +
        `p99 ${fmtMs(rate.p99ms!)}, queue p99 ${fmtMs(rate.queueP99ms ?? NaN)}`,
    );
    const wake = r.wakeLatenessMs;
    console.log(
      wake
        ? `  pacer lateness (wake-ups of ${wake.count} requests a free connection waited for): ` +
          `p50 ${fmtMs(wake.p50)}, p99 ${fmtMs(wake.p99)} (< 1 ms: ${
            wake.p99 < 1 ? "met" : "not met"
          }), max ${fmtMs(wake.max)}`
        : "  pacer lateness: n/a (no request found a free connection waiting for it)",
    );
  }
  console.log("");
  console.log("A server that stalls once for 1 s (bench/stall_server.ts), wedge raw at 2000/s:");
  if (stall.error) {
    console.log(`  FAILED: ${stall.error}`);
  } else {
    console.log(
      `  p99.9 corrected ${fmtMs(stall.corrected!)}, service ${fmtMs(stall.service!)}, queue ${
        fmtMs(stall.queue!)
      }`,
    );
    if (stall.rate) {
      console.log(
        `  rate: achieved ${
          fmt(stall.rate.achieved, 4)
        }, late ${stall.rate.late}, dropped ${stall.rate.dropped}`,
      );
    }
    console.log(
      `  corrected p99.9 >= ${stall.threshold.correctedAtLeastMs}ms while service p99.9 < ${stall.threshold.serviceBelowMs}ms: ${
        stall.met ? "met" : "not met"
      }`,
    );
  }
  const w = stall.wrk!;
  console.log(
    w.error
      ? `  wrk for comparison: ${w.error}`
      : `  wrk -c16 (closed loop) on a fresh stall server: ${fmt(w.rps!)} req/s, p99 ${
        fmtMs(w.p99ms!)
      }${w.note ? ` (${w.note})` : ""}`,
  );
  if (!w.error) {
    console.log(
      "  (wrk 4 back-fills its histogram before printing: stats_correct() adds samples for every " +
        "latency above runtime / (requests per connection), so a long stall shows in its tail)",
    );
  }
}
