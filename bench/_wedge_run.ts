/**
 * wedge as one of the bench's generators: its command line on bench/_target.ts (clients against a
 * server already running), and a run of it read back from its JSON report.
 *
 * @module
 */

import type { RunReport } from "../report.ts";
import type { CpuWindow } from "./_cpu.ts";
import { runBounded } from "./_bench_process.ts";

/** The load every row shares, and the bench's abort signal. */
export interface BenchLoad {
  /** Seconds of load a row. */
  seconds: number;
  /** Connections a row. */
  connections: number;
  /** wedge's clients (one worker thread each), sharing the connections. */
  engineThreads: number;
  /** Aborts every subprocess (Ctrl-C). */
  signal: AbortSignal;
}

/** The fields of wedge's JSON report this bench reads. */
export type WedgeReport = Pick<
  RunReport,
  "requestsPerSecond" | "latency" | "latencyBreakdown" | "rate" | "totals" | "errors"
>;

/**
 * The `--set`s of a wedge row: the raw engine on the bench's connections and threads, for the
 * bench's seconds, and the row's own.
 *
 * @param url The server.
 * @param of The bench's load and the row's own sets.
 * @returns The sets.
 *
 * @example
 * ```ts
 * import { wedgeSets } from "./_wedge_run.ts";
 * import assert from "node:assert/strict";
 *
 * const load = { seconds: 5, connections: 64, engineThreads: 2, signal: new AbortController().signal };
 * assert.equal(wedgeSets("URL", { load, extra: { engine: "fetch" } }).engine, "fetch");
 * ```
 */
export function wedgeSets(
  url: string,
  of: { load: BenchLoad; extra?: Record<string, string | number> },
): Record<string, string | number> {
  const { load } = of;
  return {
    url,
    engine: "raw",
    clients: load.engineThreads,
    connections: load.connections / load.engineThreads,
    duration: `${load.seconds}s`,
    ...of.extra,
  };
}

/**
 * The wedge command line for the given `--set`s.
 *
 * @param json Where the report goes (a placeholder when printed).
 * @param sets The `--set`s.
 * @returns The arguments of `deno`.
 *
 * @example
 * ```ts
 * import { wedgeArgs } from "./_wedge_run.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(wedgeArgs("r.json", { engine: "raw" }).slice(-2), ["--set", "engine=raw"]);
 * ```
 */
export function wedgeArgs(json: string, sets: Record<string, string | number>): string[] {
  return [
    "run",
    "-A",
    "cli/main.ts",
    "bench/_target.ts",
    "--quiet",
    "--json",
    json,
    ...Object.entries(sets).flatMap(([k, v]) => ["--set", `${k}=${v}`]),
  ];
}

/**
 * Runs wedge on bench/_target.ts and reads its report, with its workers' CPU.
 *
 * @param sets The `--set`s ({@linkcode wedgeSets}).
 * @param options The abort signal.
 * @returns The report's fields the bench reads, and the CPU window.
 * @throws {Error} With wedge's stderr when it wrote no report.
 *
 * @example
 * ```ts ignore
 * const report = await runWedge(wedgeSets(url, { load }), { signal });
 * ```
 */
export async function runWedge(
  sets: Record<string, string | number>,
  options: { signal: AbortSignal },
): Promise<WedgeReport & { cpuWindow: CpuWindow | null }> {
  const json = await Deno.makeTempFile({ prefix: "wedge_bench_", suffix: ".json" });
  try {
    await Deno.remove(json);
    const loadS = Number(/^(\d+(?:\.\d+)?)s$/.exec(String(sets.duration))?.[1] ?? 60);
    const out = await runBounded(Deno.execPath(), wedgeArgs(json, sets), {
      timeoutS: loadS + 60,
      signal: options.signal,
      cpu: { loadS, thread: /^worker-/ },
    });
    let text: string;
    try {
      text = await Deno.readTextFile(json);
    } catch {
      throw new Error(
        `wedge wrote no report (exit ${out.code}); stderr:\n${out.stderr.trim()}\nstdout tail:\n${
          out.stdout.trim().split("\n").slice(-15).join("\n")
        }`,
      );
    }
    return { ...JSON.parse(text) as WedgeReport, cpuWindow: out.cpu };
  } finally {
    await Deno.remove(json).catch(() => {});
  }
}
