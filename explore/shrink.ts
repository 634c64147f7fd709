/**
 * The shrink search: from a failing shape (params), the smallest shape that still fails with the
 * same failing assertion. A pure algorithm over a probe callback, so it runs the same against
 * child processes (`--shrink`) and against a fake in unit tests.
 *
 * Numeric params shrink one at a time toward their floor (schema minimum, or default) by
 * bisection, keeping every step that still fails. Then, until nothing shrinks, each param's next
 * smaller value is tried once more (delta debugging: the others may have changed since), and a
 * param whose next smaller value still fails is bisected again. Each probe runs up to `repeat`
 * times; identical params are probed once (cached).
 *
 * @module
 */

/** A param's value as a probe sets it. */
export type ShrinkValue = number | string | boolean;

/** Params by name. */
export type ShrinkParams = Record<string, ShrinkValue>;

/** One run of a shape: did it fail, and the first failing assertion's name (null if none). */
export interface ProbeRun {
  /** The run failed (its exit code was not 0). */
  failed: boolean;
  /** The name of its first failing assertion, or null (it passed, or could not run). */
  assertion: string | null;
  /** Why a failed run has no assertion, e.g. `exit 3`. @default {"could not run"} */
  note?: string;
  /** The run's seed, to replay it. @default {undefined} */
  seed?: number;
}

/** Runs a shape once; must honour `signal` (the budget or Ctrl-C). */
export type Probe = (params: ShrinkParams, signal: AbortSignal) => Promise<ProbeRun>;

/**
 * A numeric param: `read` maps its value to a number (ms for durations, bytes for sizes), `write`
 * maps a number back; it shrinks toward `floor` in multiples of `step`.
 */
export interface NumericAxis {
  /** Discriminant. */
  kind: "numeric";
  /** Param name. */
  name: string;
  /** The smallest value to try (schema minimum, or default). */
  floor: number;
  /** Resolution of the bisection (1 for integers). */
  step: number;
  /** Value to number. */
  read(value: ShrinkValue): number;
  /** Number to value. */
  write(n: number): ShrinkValue;
}

/** A boolean or enum param (only with `--shrink-all`): the simpler values to try, once each. */
export interface ChoiceAxis {
  /** Discriminant. */
  kind: "choice";
  /** Param name. */
  name: string;
  /** Values to try, simplest first (e.g. the default). */
  simpler: ShrinkValue[];
}

/** A param the search may change. */
export type ShrinkAxis = NumericAxis | ChoiceAxis;

/** One shape tried, in the order tried. */
export interface ProbeRecord {
  /** The shape. */
  params: ShrinkParams;
  /** Counted as failing with the target assertion. */
  failing: boolean;
  /** Runs made (fewer than `repeat` when the verdict was settled early). */
  runs: number;
  /** Runs that failed with the target assertion. */
  sameFailures: number;
  /** Other failing assertions seen (or "could not run"), which count as passes. */
  otherFailures: string[];
  /** Seeds of the runs that failed with the target assertion (when the probe gave them). */
  failingSeeds: number[];
  /** Wall time of its runs, ms. */
  wallMs: number;
}

/** Options for {@linkcode shrink}. */
export interface ShrinkOptions {
  /** Runs per probe. @default {3} */
  repeat?: number;
  /**
   * A probe fails when at least this fraction of its runs fail with the target assertion;
   * undefined means when any run does. @default {undefined}
   */
  failRate?: number;
  /** Ends the search (budget, Ctrl-C); the best shape so far is returned. @default {undefined} */
  signal?: AbortSignal;
  /** Called after each probe (live progress). @default {undefined} */
  onProbe?: (record: ProbeRecord) => void;
}

/** What the search found. */
export interface ShrinkResult {
  /** `done`: nothing shrinks further; `stopped`: the signal ended it; `start-passed`: nothing to shrink. */
  status: "done" | "stopped" | "start-passed";
  /** The starting shape. */
  start: ShrinkParams;
  /** The smallest failing shape found (the start if nothing smaller failed). */
  best: ShrinkParams;
  /** The target: the start's first failing assertion (null when the start passed). */
  assertion: string | null;
  /** The probe of `best` (runs, failures). */
  bestProbe: ProbeRecord | null;
  /** Every shape tried, in order (cache hits are not repeated). */
  probes: ProbeRecord[];
  /** Probes answered from the cache. */
  cacheHits: number;
}

/** Thrown inside the search when the signal ends it. */
class Stopped extends Error {}

interface Search {
  axes: ShrinkAxis[];
  probe: Probe;
  repeat: number;
  needed: number;
  signal: AbortSignal;
  onProbe?: (record: ProbeRecord) => void;
  cache: Map<string, ProbeRecord>;
  result: ShrinkResult;
}

/**
 * Shrinks a failing shape.
 *
 * @param start The failing shape (every param the axes name must be in it).
 * @param axes The params that may change, in the order they are shrunk.
 * @param probe Runs a shape once.
 * @param options Runs per probe, fail rate, signal, progress callback.
 * @returns The smallest shape found, and the path of probes.
 * @throws {RangeError} If `repeat` is not a whole number >= 1 or `failRate` not in (0, 1].
 *
 * @example Fails iff n >= 7
 * ```ts
 * import { shrink } from "./shrink.ts";
 * import assert from "node:assert/strict";
 *
 * const axes = [{ kind: "numeric" as const, name: "n", floor: 1, step: 1, read: Number, write: (n: number) => n }];
 * const probe = (p: Record<string, unknown>) =>
 *   Promise.resolve({ failed: Number(p.n) >= 7, assertion: Number(p.n) >= 7 ? "noStall" : null });
 * const result = await shrink({ n: 40 }, axes, probe, { repeat: 1 });
 * assert.deepEqual(result.best, { n: 7 });
 * ```
 */
export async function shrink(
  start: ShrinkParams,
  axes: ShrinkAxis[],
  probe: Probe,
  options: ShrinkOptions = {},
): Promise<ShrinkResult> {
  const repeat = options.repeat ?? 3;
  if (!Number.isInteger(repeat) || repeat < 1) {
    throw new RangeError(`repeat ${repeat}: expected a whole number of runs, at least 1`);
  }
  const { failRate } = options;
  if (failRate !== undefined && !(failRate > 0 && failRate <= 1)) {
    throw new RangeError(`failRate ${failRate}: expected a fraction above 0 and at most 1`);
  }
  const needed = failRate === undefined ? 1 : Math.max(1, Math.ceil(failRate * repeat - 1e-9));
  const result: ShrinkResult = {
    status: "done",
    start,
    best: start,
    assertion: null,
    bestProbe: null,
    probes: [],
    cacheHits: 0,
  };
  const search: Search = {
    axes,
    probe,
    repeat,
    needed,
    signal: options.signal ?? new AbortController().signal,
    onProbe: options.onProbe,
    cache: new Map(),
    result,
  };
  try {
    await runSearch(search);
  } catch (error) {
    if (!(error instanceof Stopped)) throw error;
    result.status = "stopped";
  }
  return result;
}

async function runSearch(s: Search): Promise<void> {
  const first = await probeShape(s, s.result.start);
  if (!first.failing) {
    s.result.status = "start-passed";
    return;
  }
  s.result.bestProbe = first;
  // Each param's floor first: a param that does not matter drops out in one probe, and the
  // bisections after it run smaller (faster) shapes.
  const floorPassed = new Set<ShrinkAxis>();
  for (const axis of s.axes) {
    if (axis.kind === "numeric" && !await toFloor(s, axis)) floorPassed.add(axis);
  }
  for (const axis of s.axes) await shrinkAxis(s, axis, { skipFloor: floorPassed.has(axis) });
  // Again until nothing shrinks: each param's next smaller value once (delta debugging), and a
  // new bisection toward its floor only when that still fails.
  for (let changed = true; changed;) {
    changed = false;
    for (const axis of s.axes) {
      if (axis.kind === "numeric" ? await nextSmaller(s, axis) : await shrinkAxis(s, axis)) {
        changed = true;
        if (axis.kind === "numeric") await shrinkAxis(s, axis);
      }
    }
  }
}

/** Tries a numeric axis at its floor; false when it is there already or that passes. */
async function toFloor(s: Search, axis: NumericAxis): Promise<boolean> {
  if (axis.read(s.result.best[axis.name]) <= axis.floor) return false;
  return await tryValue(s, axis.name, axis.write(axis.floor));
}

/**
 * Bisects one numeric axis toward its floor (the floor itself first, unless `skipFloor`: it
 * passed with the other params larger), or tries a choice axis's simpler values.
 */
async function shrinkAxis(
  s: Search,
  axis: ShrinkAxis,
  options: { skipFloor?: boolean } = {},
): Promise<boolean> {
  if (axis.kind === "choice") {
    for (const value of axis.simpler) {
      if (value !== s.result.best[axis.name] && await tryValue(s, axis.name, value)) return true;
    }
    return false;
  }
  const current = axis.read(s.result.best[axis.name]);
  if (current <= axis.floor) return false;
  if (!options.skipFloor && await tryValue(s, axis.name, axis.write(axis.floor))) return true;
  let lo = axis.floor;
  let hi = current;
  while (hi - lo > axis.step) {
    const mid = lo + Math.max(1, Math.floor((hi - lo) / 2 / axis.step)) * axis.step;
    if (mid >= hi) break;
    if (await tryValue(s, axis.name, axis.write(mid))) hi = mid;
    else lo = mid;
  }
  return hi < current;
}

/** Delta step: the next smaller value of a numeric axis, once. */
async function nextSmaller(s: Search, axis: NumericAxis): Promise<boolean> {
  const current = axis.read(s.result.best[axis.name]);
  if (current <= axis.floor) return false;
  const next = Math.max(axis.floor, current - axis.step);
  return await tryValue(s, axis.name, axis.write(next));
}

/** Probes the best shape with one param changed; keeps it when it still fails the same way. */
async function tryValue(s: Search, name: string, value: ShrinkValue): Promise<boolean> {
  const shape = { ...s.result.best, [name]: value };
  const record = await probeShape(s, shape);
  if (!record.failing) return false;
  s.result.best = shape;
  s.result.bestProbe = record;
  return true;
}

/** Runs a shape up to `repeat` times (cached), stopping once its verdict is settled. */
async function probeShape(s: Search, params: ShrinkParams): Promise<ProbeRecord> {
  const key = JSON.stringify(Object.entries(params).sort(([a], [b]) => a < b ? -1 : 1));
  const cached = s.cache.get(key);
  if (cached) {
    s.result.cacheHits++;
    return cached;
  }
  const record: ProbeRecord = {
    params,
    failing: false,
    runs: 0,
    sameFailures: 0,
    otherFailures: [],
    failingSeeds: [],
    wallMs: 0,
  };
  const started = performance.now();
  while (record.runs < s.repeat) {
    if (s.signal.aborted) throw new Stopped();
    const run = await s.probe(params, s.signal);
    if (s.signal.aborted) throw new Stopped(); // a run cut short says nothing
    record.runs++;
    countRun(s, record, run);
    if (record.sameFailures >= s.needed) break;
    if (record.sameFailures + (s.repeat - record.runs) < s.needed) break;
  }
  record.wallMs = performance.now() - started;
  record.failing = record.sameFailures >= s.needed;
  s.cache.set(key, record);
  s.result.probes.push(record);
  s.onProbe?.(record);
  return record;
}

function countRun(s: Search, record: ProbeRecord, run: ProbeRun): void {
  if (!run.failed) return;
  if (s.result.assertion === null && run.assertion !== null) s.result.assertion = run.assertion;
  if (run.assertion !== null && run.assertion === s.result.assertion) {
    record.sameFailures++;
    if (run.seed !== undefined) record.failingSeeds.push(run.seed);
  } else record.otherFailures.push(run.assertion ?? run.note ?? "could not run");
}

/**
 * How sure a pass is: the failure rate that `runs` passing runs rule out with 95% confidence
 * (a shape failing at least that often would have failed at least once 95% of the time).
 *
 * @param runs Runs that all passed.
 * @returns A fraction, e.g. 0.63 for 3 runs.
 *
 * @example
 * ```ts
 * import { ruledOutFailRate } from "./shrink.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ruledOutFailRate(3).toFixed(2), "0.63");
 * ```
 */
export function ruledOutFailRate(runs: number): number {
  return 1 - 0.05 ** (1 / runs);
}
