/**
 * Memory sampler: reads the resident memory (VmRSS, and VmHWM) of the run's processes (the
 * runtime, server hosts, the user's server commands) on a steady interval into a timeline, and
 * with it their open fds (the latest reading, and each process's fd limit). A command's figures
 * include its children (a `sh -c` wrapper and the server it started); the runtime's do not (its
 * children are the server processes, counted on their own). Observes only.
 *
 * @module
 */

import { fdLimit, parseStatusKb } from "./process_probe.ts";
import { readProcessTree, type ReadProcessTreeOptions, type TreeReading } from "./proc_tree.ts";
import type { RuntimeMemory } from "../report/types.ts";
import {
  appendBounded,
  MAX_TIMELINE_POINTS,
  mergeReadings,
} from "../report/timeline_downsample.ts";
import type { WorkerHeap } from "../report/readings.ts";

/** A process whose memory is sampled. */
export interface SampledProcess {
  /** Name in the report, e.g. `runtime`, `servers (host)`, `app[0]`. */
  name: string;
  /** What it is. */
  role: "runtime" | "server-host" | "command";
  /** Process id. */
  pid: number;
  /** The server fleet it runs, or null for the runtime. */
  fleet: string | null;
}

/** One reading of every sampled process. */
export interface MemorySample {
  /** Milliseconds since the sampler's time origin. */
  atMs: number;
  /** Resident bytes by process (same order as the processes); null once a process is gone. */
  rssBytes: (number | null)[];
}

/** Resident memory of a process and its descendants (and its open fds when asked). */
export type TreeMemory = Pick<
  TreeReading,
  "rssBytes" | "peakRssBytes" | "openFds" | "busiestOpenFds"
>;

/**
 * Reads the resident memory of a process and its descendants from `/proc` (one walk of
 * `readProcessTree` in `proc_tree.ts`).
 *
 * @param pid A process id.
 * @param options `children: false` reads the process alone; `fds: true` also counts open fds.
 * @returns The sums, or null when the process is gone (or `/proc` cannot tell).
 *
 * @example
 * ```ts
 * import { readTreeMemory } from "./memory_sampler.ts";
 * import assert from "node:assert/strict";
 *
 * const mine = readTreeMemory(Deno.pid);
 * assert.ok(mine === null || mine.rssBytes > 0);
 * ```
 */
export function readTreeMemory(
  pid: number,
  options: Pick<ReadProcessTreeOptions, "children" | "fds"> = {},
): TreeMemory | null {
  const tree = readProcessTree(pid, { children: options.children, fds: options.fds });
  if (tree === null) return null;
  const { rssBytes, peakRssBytes, openFds, busiestOpenFds } = tree;
  return { rssBytes, peakRssBytes, openFds, busiestOpenFds };
}

function readStatus(pid: number): string | null {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch {
    return null;
  }
}

/**
 * Reads this process's resident memory (`/proc/self/status`) and splits it into what wedge can
 * name: the file-backed pages, the main isolate's heap, the client workers' heaps (as they last
 * reported them) and what JS objects hold outside the heaps; the rest is `otherBytes`.
 *
 * @param workerHeaps Each client worker's latest heap figures (null: not reported).
 * @returns The split, or null when `/proc` cannot tell the RSS.
 *
 * @example
 * ```ts
 * import { readRuntimeMemory } from "./memory_sampler.ts";
 * import assert from "node:assert/strict";
 *
 * const split = readRuntimeMemory([{ heapUsed: 1, heapTotal: 4 << 20, external: 0 }]);
 * assert.ok(split === null || split.workerHeapBytes === 4 << 20);
 * ```
 */
export function readRuntimeMemory(
  workerHeaps: readonly (WorkerHeap | null)[],
): RuntimeMemory | null {
  const status = readStatus(Deno.pid);
  const rssBytes = status === null ? null : parseStatusKb(status, "VmRSS");
  if (status === null || rssBytes === null) return null;
  const fileBytes = parseStatusKb(status, "RssFile");
  const main = Deno.memoryUsage();
  const reported = workerHeaps.filter((h) => h !== null);
  const workerHeapBytes = reported.length === 0
    ? null
    : reported.reduce((sum, h) => sum + h.heapTotal, 0);
  const externalBytes = reported.length < workerHeaps.length
    ? null
    : reported.reduce((sum, h) => sum + h.external, main.external);
  const otherBytes =
    fileBytes === null || externalBytes === null || reported.length < workerHeaps.length
      ? null
      : rssBytes - fileBytes - main.heapTotal - (workerHeapBytes ?? 0) - externalBytes;
  return {
    rssBytes,
    fileBytes,
    mainHeapBytes: main.heapTotal,
    workerHeapBytes,
    workers: reported.length,
    externalBytes,
    otherBytes,
  };
}

/** Options for {@linkcode MemorySampler}. */
export interface MemorySamplerOptions {
  /** Sampling interval, ms. @default {250} */
  intervalMs?: number;
  /** Time origin (a `performance.now()` value) of `atMs`. @default {performance.now() at creation} */
  originMs?: number;
  /**
   * The most samples the timeline keeps: when full, neighbours merge in pairs (each process's
   * peak kept) and later samples merge into buckets twice as wide.
   * @default {2000}
   */
  maxSamples?: number;
}

/**
 * Samples processes' memory on a steady interval.
 *
 * @example
 * ```ts
 * import { MemorySampler } from "./memory_sampler.ts";
 * import assert from "node:assert/strict";
 *
 * const sampler = new MemorySampler([{ name: "runtime", role: "runtime", pid: Deno.pid, fleet: null }]);
 * const sample = sampler.sample();
 * assert.equal(sample.rssBytes.length, 1);
 * sampler.stop();
 * ```
 */
export class MemorySampler {
  /** The processes, in the order of every sample's `rssBytes`. */
  readonly processes: readonly SampledProcess[];
  /** The samples taken, oldest first, bounded (see `maxSamples`). */
  readonly timeline: MemorySample[] = [];
  /** The highest VmHWM seen per process (null when never read). */
  readonly peakRssBytes: (number | null)[];
  /** Open fds per process at the latest sample (null: unknown or gone). */
  readonly openFds: (number | null)[];
  /** Resident bytes per process at the latest sample, unmerged (null: unknown or gone). */
  readonly rssBytes: (number | null)[];
  /**
   * Per sampled process, the most open fds one process of its tree held at a sample (a server
   * and its workers each have the limit; their sum does not), and when first, ms since the
   * origin; null until read.
   */
  readonly peakBusiestFds: ({ openFds: number; atMs: number } | null)[];
  /** Per sampled process, the most open fds one process of its tree holds at the latest sample. */
  readonly busiestOpenFds: (number | null)[];
  /** When the latest sample was read (a `performance.now()` value), or null before the first. */
  sampledAt: number | null = null;
  /** Soft limit on open files per process (another's read at its first sample; null: unknown). */
  readonly fdLimits: (number | null)[];
  /** Sampling interval, ms. */
  readonly intervalMs: number;
  #originMs: number;
  #maxSamples: number;
  #resolutionMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Creates a sampler; call {@linkcode MemorySampler.start} to sample on the interval.
   *
   * @param processes The processes to sample.
   * @param options Interval and time origin.
   */
  constructor(processes: readonly SampledProcess[], options: MemorySamplerOptions = {}) {
    this.processes = processes;
    this.intervalMs = options.intervalMs ?? 250;
    this.#originMs = options.originMs ?? performance.now();
    this.#maxSamples = options.maxSamples ?? MAX_TIMELINE_POINTS;
    this.#resolutionMs = this.intervalMs;
    this.peakRssBytes = processes.map(() => null);
    this.openFds = processes.map(() => null);
    this.rssBytes = processes.map(() => null);
    this.peakBusiestFds = processes.map(() => null);
    this.busiestOpenFds = processes.map(() => null);
    this.fdLimits = processes.map(() => null);
  }

  /**
   * Moves the time origin (e.g. to the start of the load); earlier samples keep their times.
   *
   * @param originMs A `performance.now()` value.
   */
  setOrigin(originMs: number): void {
    this.#originMs = originMs;
  }

  /** Samples now and then every `intervalMs` until {@linkcode MemorySampler.stop}. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.intervalMs);
  }

  /** Stops sampling on the interval. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Reads every process now (memory and open fds) and adds the memory reading to the timeline.
   *
   * @returns The reading.
   */
  sample(): MemorySample {
    const rssBytes = this.processes.map((p, i) => {
      const tree = readTreeMemory(p.pid, { children: p.role === "command", fds: true });
      if (tree?.peakRssBytes != null) {
        this.peakRssBytes[i] = Math.max(this.peakRssBytes[i] ?? 0, tree.peakRssBytes);
      }
      this.openFds[i] = tree?.openFds ?? null;
      const busiest = tree?.busiestOpenFds ?? null;
      this.busiestOpenFds[i] = busiest;
      if (busiest !== null && busiest > (this.peakBusiestFds[i]?.openFds ?? -1)) {
        this.peakBusiestFds[i] = {
          openFds: busiest,
          atMs: Math.round(performance.now() - this.#originMs),
        };
      }
      // This process's own limit may change during the run (a scenario's `limits`): the probe
      // keeps it current at no cost. Another process's is read once, at its first sample.
      if (p.pid === Deno.pid) this.fdLimits[i] = fdLimit("self");
      else if (tree !== null && this.fdLimits[i] === null) this.fdLimits[i] = fdLimit(p.pid);
      return (this.rssBytes[i] = tree?.rssBytes ?? null);
    });
    this.sampledAt = performance.now();
    const sample = { atMs: Math.round(performance.now() - this.#originMs), rssBytes };
    this.#resolutionMs = appendBounded(this.timeline, sample, {
      resolutionMs: this.#resolutionMs,
      maxPoints: this.#maxSamples,
      merge: mergeReadings,
    });
    return sample;
  }
}
