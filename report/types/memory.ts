/**
 * The run report's memory: every process's resident memory over time, the readings between loads,
 * and what wedge's own process holds.
 *
 * @module
 */
/** A memory reading after one load of a repeated run. */
export interface MemoryCheckpoint {
  /** Loads finished by then (0: before the first). */
  round: number;
  /** Ms since the load started. */
  atMs: number;
  /** Requests completed by then. */
  completed: number;
  /** Resident bytes per process (order of `memory.processes`), null for one that is gone. */
  rssBytes: (number | null)[];
  /** The runtime process's resident memory split by what holds it, or null where unknown. */
  runtime?: RuntimeMemory | null;
}

/**
 * wedge's own process at a checkpoint: its resident memory and the part of it wedge can name.
 * The client engines live here; a verdict on servers never reads these figures.
 */
export interface RuntimeMemory {
  /** VmRSS of the runtime process. */
  rssBytes: number;
  /** Resident file-backed pages (RssFile: mostly the deno executable's code). */
  fileBytes: number | null;
  /** The main isolate's V8 heap (`heapTotal`). */
  mainHeapBytes: number;
  /** The client workers' V8 heaps (`heapTotal`, summed), null before any worker reported. */
  workerHeapBytes: number | null;
  /** Client workers that reported (`workerHeapBytes` sums these). */
  workers: number;
  /** Memory held outside the V8 heaps by JS objects (`external`: ArrayBuffers), all isolates. */
  externalBytes: number | null;
  /**
   * RSS minus all of the above: anonymous memory no isolate accounts for (the allocator's free
   * lists, the HTTP stacks' buffers, thread stacks); null when a part is unknown.
   */
  otherBytes: number | null;
}

/** The run's memory: every process's resident memory over time, and readings between loads. */
export interface MemoryReport {
  /** Sampling interval, ms. */
  intervalMs: number;
  /** The processes, in the order of every `rssBytes` array. */
  processes: {
    name: string;
    role: "runtime" | "server-host" | "command";
    pid: number;
    fleet: string | null;
    /** The highest VmHWM seen (peak resident memory of the process itself). */
    peakRssBytes: number | null;
  }[];
  /**
   * Samples, oldest first (`atMs` since the load started; negative before it); at most 2,000: a
   * longer run merges neighbours, each keeping the higher reading of each process.
   */
  timeline: { atMs: number; rssBytes: (number | null)[] }[];
  /** Warm-up loads, measured iterations and settle time, or null for a single load. */
  rounds: { warmup: number; iterations: number; settleMs: number } | null;
  /** A reading before the first load and after each load has settled. */
  checkpoints: MemoryCheckpoint[];
  /**
   * Whether a memory assertion judges the runtime (`of: "runtime"`); otherwise the runtime's
   * figures (wedge's own client engines) are shown and never judged.
   */
  runtimeJudged?: boolean;
}
