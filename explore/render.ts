/**
 * An exploration as text: a line per run, the table (one row per grid point), the 2-D grid of
 * pass rates when two params are swept, and the summary with the failing seeds' replay
 * commands. Renders, never computes (see `summary.ts`). Pure.
 *
 * @module
 */

import { formatByteSize } from "../units/byte_size.ts";
import { formatDuration } from "../units/duration.ts";
import type { SweepAxis } from "./flags.ts";
import type { RunLine } from "./run_line.ts";
import type { CellRow, ExploreSummary } from "./summary.ts";

const na = "n/a";

function rate(n: number | null): string {
  return n === null ? na : `${Math.round(n)}`;
}
function ms(n: number | null): string {
  return n === null ? na : formatDuration(n);
}
function stall(n: number | null): string {
  return n === 0 ? "none" : ms(n);
}
function bytes(n: number | null): string {
  return n === null ? na : formatByteSize(n);
}
function percent(n: number): string {
  return `${(n * 100).toFixed(n === 0 || n === 1 ? 0 : 1)}%`;
}

/**
 * One run as a line: which, its verdict and first failure, then its figures.
 *
 * @param line The run.
 * @param context Its position (`of` runs in all) and the swept keys to show.
 * @returns The line, without a newline.
 *
 * @example
 * ```ts
 * import { runLineText } from "./render.ts";
 * import assert from "node:assert/strict";
 *
 * const text = runLineText({
 *   index: 0, seed: 7, set: { n: "5" }, exitCode: 0, passed: true, outcome: "completed",
 *   firstFailure: null, requestsPerSecond: 2650.2, p99Ms: 12.5, longestStallMs: 0, peakFds: 90,
 *   peakRssBytes: 1024 * 1024, wallMs: 2000,
 * }, { of: 4, keys: ["n"] });
 * assert.match(text, /^run 1\/4 n=5 seed 7: PASS completed; 2650 req\/s, p99 12.5ms/);
 * ```
 */
export function runLineText(line: RunLine, context: { of: number; keys: string[] }): string {
  const point = context.keys.map((k) => `${k}=${line.set[k]}`).join(" ");
  const head = `run ${line.index + 1}/${context.of}${point ? ` ${point}` : ""} seed ${line.seed}`;
  const verdict = line.passed ? "PASS" : "FAIL";
  const failure = line.firstFailure ? ` (${line.firstFailure})` : "";
  return `${head}: ${verdict} ${line.outcome ?? `exit ${line.exitCode}`}${failure}; ${
    rate(line.requestsPerSecond)
  } req/s, p99 ${ms(line.p99Ms)}, longest stall ${stall(line.longestStallMs)}, peak fds ${
    line.peakFds ?? na
  }, peak RSS ${bytes(line.peakRssBytes)}; ${formatDuration(line.wallMs)}`;
}

/**
 * The table: one row per grid point, the swept params first.
 *
 * @param rows The rows.
 * @param keys The swept params.
 * @returns Lines, each ending with a newline.
 *
 * @example
 * ```ts
 * import { tableText } from "./render.ts";
 * import assert from "node:assert/strict";
 *
 * const text = tableText([{
 *   point: { n: "5" }, runs: 2, passed: 1, passRate: 0.5, outcome: "completed", requestsPerSecond: 100,
 *   p99Ms: 5, peakFds: 40, peakRssBytes: null, longestStallMs: 0, firstFailure: "latencyBelow: p99 = 5ms",
 * }], ["n"]);
 * assert.match(text, /^n +pass +outcome/);
 * assert.match(text, /\n5 +1\/2 +completed +100 +5\.00ms +40 +n\/a +none +latencyBelow: p99 = 5ms\n$/);
 * ```
 */
export function tableText(rows: readonly CellRow[], keys: readonly string[]): string {
  const header = [...keys, "pass", "outcome", "req/s", "p99", "peak fds", "peak RSS", "stall"];
  const body = rows.map((r) => [
    ...keys.map((k) => r.point[k]),
    `${r.passed}/${r.runs}`,
    r.outcome,
    rate(r.requestsPerSecond),
    ms(r.p99Ms),
    r.peakFds === null ? na : String(r.peakFds),
    bytes(r.peakRssBytes),
    stall(r.longestStallMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[], last: string) =>
    `${cells.map((c, i) => c.padEnd(widths[i])).join("  ")}  ${last}`.trimEnd() + "\n";
  return line(header, "first failing assertion") +
    body.map((b, i) => line(b, rows[i].firstFailure ?? "")).join("");
}

/**
 * The grid of pass rates over two swept params: the first down, the second across.
 *
 * @param rows The rows, in grid order.
 * @param sweep Exactly two axes.
 * @returns Lines, each ending with a newline.
 * @throws {RangeError} If there are not exactly two axes.
 *
 * @example
 * ```ts
 * import { gridText } from "./render.ts";
 * import assert from "node:assert/strict";
 *
 * const row = (passed: number) => ({ point: {}, runs: 1, passed, passRate: passed, outcome: "", requestsPerSecond: null, p99Ms: null, peakFds: null, peakRssBytes: null, longestStallMs: null, firstFailure: null });
 * const text = gridText([row(1), row(0), row(1), row(1)], [{ key: "a", values: ["1", "2"] }, { key: "b", values: ["x", "y"] }]);
 * assert.equal(text, "pass rate  b=x   b=y\na=1        100%  0%\na=2        100%  100%\n");
 * ```
 */
export function gridText(rows: readonly CellRow[], sweep: readonly SweepAxis[]): string {
  if (sweep.length !== 2) {
    throw new RangeError(`Cannot draw a grid of ${sweep.length} axes: expected 2`);
  }
  const [down, across] = sweep;
  const cell = (r: CellRow) => r.passRate === null ? "not run" : percent(r.passRate);
  const table = [
    ["pass rate", ...across.values.map((v) => `${across.key}=${v}`)],
    ...down.values.map((v, i) => [
      `${down.key}=${v}`,
      ...across.values.map((_, j) => cell(rows[i * across.values.length + j])),
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  return table.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd() + "\n")
    .join("");
}

/**
 * The summary: passed n of K, the failure rate with its 95% interval, each failing run with
 * the command that replays it, cells that did not run, and the verdict.
 *
 * @param summary The summary.
 * @returns Lines, each ending with a newline.
 *
 * @example
 * ```ts
 * import { summaryText } from "./render.ts";
 * import assert from "node:assert/strict";
 *
 * const text = summaryText({
 *   planned: 2, runs: 2, passed: 1, failureRate: 0.5, failureInterval: { low: 0.0945, high: 0.9055 },
 *   requiredPassRate: null, missing: [], ok: false,
 *   failing: [{ index: 1, seed: 8, failure: "x: y", replay: "deno task scenario s --seed 8" }],
 * });
 * assert.match(text, /^Passed 1 of 2 runs; failure rate 50\.0% \(95% interval 9\.4%-90\.5%\)\n/);
 * assert.match(text, /FAILED: 1 of 2 runs failed\n$/);
 * ```
 */
export function summaryText(summary: ExploreSummary): string {
  const { runs, passed, failureRate, failureInterval: ci } = summary;
  const out = [
    `Passed ${passed} of ${runs} run${runs === 1 ? "" : "s"}${
      failureRate === null || ci === null
        ? ""
        : `; failure rate ${percent(failureRate)} (95% interval ${percent(ci.low)}-${
          percent(ci.high)
        })`
    }`,
  ];
  if (summary.failing.length) {
    out.push(`Failing seeds: ${[...new Set(summary.failing.map((f) => f.seed))].join(", ")}`);
    out.push("Replay a failing run:");
    for (const f of summary.failing) out.push(`  cell ${f.index} (${f.failure}):\n    ${f.replay}`);
    if (summary.notReplayed?.length) {
      out.push(
        `  (a seed replays wedge's own random choices, not those of your own programs (${
          summary.notReplayed.join(", ")
        }): a replay may not fail the same way)`,
      );
    }
  }
  if (summary.missing.length) {
    out.push(
      `Not run: ${summary.missing.length} of ${summary.planned} cells (${
        summary.missing.slice(0, 20).join(", ")
      }${summary.missing.length > 20 ? ", ..." : ""})`,
    );
  }
  out.push(verdict(summary));
  return out.map((l) => l + "\n").join("");
}

function verdict(s: ExploreSummary): string {
  const failed = s.runs - s.passed;
  const required = s.requiredPassRate;
  if (required !== null && s.runs > 0) {
    const rateText = `pass rate ${percent(s.passed / s.runs)}`;
    return s.ok
      ? `PASSED: ${rateText} meets --pass-rate ${percent(required)}`
      : `FAILED: ${rateText} is below --pass-rate ${percent(required)}`;
  }
  if (s.ok) return `PASSED: all ${s.runs} runs passed`;
  if (failed > 0) return `FAILED: ${failed} of ${s.runs} runs failed`;
  return `FAILED: ${s.missing.length} of ${s.planned} cells did not run`;
}
