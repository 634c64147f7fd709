/**
 * The memory section of the text report: peak resident memory per process; with repeated loads,
 * the reading after each load (with its change) and what the runtime's own memory is made of.
 *
 * @module
 */

import { formatByteSize } from "../../units/byte_size.ts";
import { formatDuration } from "../../units/duration.ts";
import type { MemoryCheckpoint, MemoryReport } from "../types.ts";

/**
 * Renders peak memory per process; with repeated loads, the reading after each one (seed 002's
 * table) and the runtime's share.
 *
 * @param memory The run's memory.
 * @returns Lines of text.
 *
 * @example
 * ```ts
 * import { renderMemory } from "./memory.ts";
 * import assert from "node:assert/strict";
 *
 * const lines = renderMemory({
 *   intervalMs: 250,
 *   processes: [{ name: "runtime", role: "runtime", pid: 1, fleet: null, peakRssBytes: null }],
 *   timeline: [], rounds: null, checkpoints: [],
 * });
 * assert.deepEqual(lines, ["Peak RSS (VmHWM): runtime unknown"]);
 * ```
 */
export function renderMemory(memory: MemoryReport): string[] {
  const lines: string[] = [];
  const peaks = memory.processes.map((p) =>
    `${p.name} ${p.peakRssBytes === null ? "unknown" : formatByteSize(p.peakRssBytes)}`
  );
  lines.push(`Peak RSS (VmHWM): ${peaks.join(", ")}`);
  if (!memory.rounds || memory.checkpoints.length === 0) return lines;
  const { warmup, iterations, settleMs } = memory.rounds;
  lines.push("");
  lines.push(
    `Memory (VmRSS, read ${
      formatDuration(settleMs)
    } after each load; ${warmup} warm-up, ${iterations} measured; change from the previous reading):`,
  );
  const names = memory.processes.map((p) => p.name);
  const width = Math.max(24, ...names.map((n) => n.length + 2));
  lines.push(
    `  ${"after".padEnd(14)}${"requests".padStart(10)}  ${
      names.map((n) => n.padEnd(width)).join("")
    }`,
  );
  memory.checkpoints.forEach((c, i) => {
    lines.push(checkpointLine(c, memory.checkpoints[i - 1], warmup, width));
  });
  lines.push("  (* the baseline the verdict measures from)");
  lines.push(...renderRuntimeMemory(memory));
  return lines;
}

/** One row of the table: the reading of each process and its change from the previous row. */
function checkpointLine(
  c: MemoryCheckpoint,
  previous: MemoryCheckpoint | undefined,
  warmup: number,
  width: number,
): string {
  const label = c.round === 0
    ? "start"
    : c.round <= warmup
    ? `warm-up ${c.round}`
    : `iteration ${c.round - warmup}`;
  const cells = c.rssBytes.map((b, p) => {
    const before = previous ? previous.rssBytes[p] : null;
    const value = b === null ? "gone" : formatByteSize(b);
    const delta = b !== null && before !== null
      ? ` (${b - before >= 0 ? "+" : ""}${formatByteSize(b - before)})`
      : "";
    return (value + delta).padEnd(width);
  });
  return `  ${(label + (c.round === warmup ? " *" : "")).padEnd(14)}${
    String(c.completed).padStart(10)
  }  ${cells.join("")}`;
}

/** What the runtime's RSS is made of after the last load, and whether a verdict reads it. */
function renderRuntimeMemory(memory: MemoryReport): string[] {
  const base = memory.checkpoints.find((c) => c.round === memory.rounds?.warmup)?.runtime;
  const last = memory.checkpoints.at(-1)?.runtime;
  if (!last) return [];
  const size = (b: number | null) => b === null ? "n/a" : formatByteSize(b);
  const growth = base ? `${size(base.rssBytes)} at the baseline, ` : "";
  return [
    `  runtime = wedge itself (its client engines), ${
      memory.runtimeJudged ? 'judged by an of: "runtime" verdict' : "not judged by the verdict"
    }: RSS ${growth}${size(last.rssBytes)} now:`,
    `    client worker heaps ${size(last.workerHeapBytes)} (${last.workers}), main heap ${
      size(last.mainHeapBytes)
    }, ArrayBuffers ${size(last.externalBytes)}, code ${size(last.fileBytes)}, other ${
      size(last.otherBytes)
    } (allocator, HTTP buffers)`,
  ];
}
