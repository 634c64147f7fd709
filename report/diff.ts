/**
 * Compares two runs (`wedge diff A.json B.json`): the params that differ, the outcome, each
 * assertion's verdict and every figure with its ratio B/A, flagging what matters: a verdict that
 * flipped or got worse, an outcome that got worse, a figure beyond noise. Each side is one run or
 * several runs of the same shape (repeats), whose spread is then the noise. Pure: reports in,
 * a comparison out; `text/diff.ts` renders it.
 *
 * @module
 */

import {
  type FigureKind,
  type FigureReading,
  judgeNoise,
  mean,
  type NoiseJudgement,
  readFigures,
} from "./diff_figures.ts";
import { INCOMPLETE_OUTCOMES, type RunReport } from "./types.ts";

export { DEFAULT_NOISE, type FigureKind } from "./diff_figures.ts";

/** Outcomes where the load was not carried out: going to one of these from another is worse. */

/** A param whose value differs between the sides. */
export interface ParamDiff {
  /** The param's name. */
  key: string;
  /** Its value on side A (JSON text), or null where A has no such param. */
  a: string | null;
  /** Its value on side B (JSON text), or null. */
  b: string | null;
}

/** How a verdict changed from A to B. */
export type VerdictChange = "same" | "flipped-to-fail" | "flipped-to-pass" | "worse" | "better";

/** One assertion on both sides (matched by description, else by name and position). */
export interface VerdictDiff {
  /** What it requires, as side A (else B) describes it. */
  description: string;
  /** B's description where it differs (matched by name: a param changed its bound), else null. */
  descriptionB: string | null;
  /** Share of side A's runs where it passed (1 or 0 for one run), null when A lacks it. */
  a: number | null;
  /** Share of side B's runs where it passed, null when B lacks it. */
  b: number | null;
  /** What it measured in A's first run and B's first run. */
  measured: { a: string | null; b: string | null };
  /** How it changed; an assertion on one side only is `same` (shown, not judged). */
  change: VerdictChange;
}

/** One figure on both sides. */
export interface FigureDiff {
  /** Stable key, e.g. `latency.p99`. */
  key: string;
  /** For people. */
  label: string;
  /** Kind, for the noise threshold. */
  kind: FigureKind;
  /** The mean of side A's runs, or null where unknown. */
  a: number | null;
  /** The mean of side B's runs, or null where unknown. */
  b: number | null;
  /** b / a; 1 when both are 0; Infinity when only a is 0; null where a side is unknown. */
  ratio: number | null;
  /** How the difference compares with noise, or null where a side is unknown. */
  noise: NoiseJudgement | null;
  /** `worse` or `better` when beyond noise and one way is better; `changed` when neither is. */
  flag: "worse" | "better" | "changed" | null;
}

/** The comparison of two sides. */
export interface RunDiff {
  /** Scenario name, runs and seeds of each side. */
  sides: { a: SideSummary; b: SideSummary };
  /** Params whose values differ. */
  params: ParamDiff[];
  /** Each side's outcomes (`completed`, or `completed x2, stalled x1`), and whether B's is worse. */
  outcome: { a: string; b: string; worse: boolean; better: boolean };
  /** Each assertion. */
  verdicts: VerdictDiff[];
  /** Each figure. */
  figures: FigureDiff[];
  /** True when a verdict flipped to fail or got worse, or the outcome got worse: exit 1. */
  regressed: boolean;
}

/** A side's scenario, runs and seeds. */
export interface SideSummary {
  scenario: string;
  runs: number;
  seeds: number[];
}

/**
 * Compares two sides, each one run or several runs of one shape.
 *
 * @param a Side A's reports (at least one).
 * @param b Side B's reports (at least one).
 * @returns The comparison; `regressed` says whether `wedge diff` exits 1.
 * @throws {RangeError} If a side has no report.
 *
 * @example
 * ```ts ignore
 * const diff = diffReports([passing], [failing]);
 * diff.regressed; // true: a verdict flipped to FAIL
 * ```
 */
export function diffReports(a: readonly RunReport[], b: readonly RunReport[]): RunDiff {
  if (a.length === 0 || b.length === 0) {
    throw new RangeError(`each side needs a report: A has ${a.length}, B has ${b.length}`);
  }
  const verdicts = diffVerdicts(a, b);
  const outcome = diffOutcome(a, b);
  const regressed = outcome.worse ||
    verdicts.some((v) => v.change === "flipped-to-fail" || v.change === "worse") ||
    passShare(b) < passShare(a);
  return {
    sides: { a: summarize(a), b: summarize(b) },
    params: diffParams(a[0], b[0]),
    outcome,
    verdicts,
    figures: diffFigures(a, b),
    regressed,
  };
}

function summarize(reports: readonly RunReport[]): SideSummary {
  return {
    scenario: reports[0].scenario.name,
    runs: reports.length,
    seeds: reports.map((r) => r.seed),
  };
}

function passShare(reports: readonly RunReport[]): number {
  return reports.filter((r) => r.passed).length / reports.length;
}

function diffParams(a: RunReport, b: RunReport): ParamDiff[] {
  const keys = [...new Set([...Object.keys(a.scenario.params), ...Object.keys(b.scenario.params)])];
  const text = (params: Record<string, unknown>, key: string) =>
    Object.hasOwn(params, key) ? JSON.stringify(params[key]) ?? "undefined" : null;
  return keys
    .map((key) => ({ key, a: text(a.scenario.params, key), b: text(b.scenario.params, key) }))
    .filter((p) => p.a !== p.b);
}

function diffOutcome(a: readonly RunReport[], b: readonly RunReport[]): RunDiff["outcome"] {
  const describe = (reports: readonly RunReport[]) => {
    const counts = new Map<string, number>();
    for (const r of reports) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
    if (counts.size === 1 && reports.length === 1) return reports[0].outcome;
    return [...counts].map(([o, n]) => `${o} x${n}`).join(", ");
  };
  const bad = (reports: readonly RunReport[]) =>
    reports.filter((r) => INCOMPLETE_OUTCOMES.includes(r.outcome)).length / reports.length;
  return { a: describe(a), b: describe(b), worse: bad(b) > bad(a), better: bad(b) < bad(a) };
}

/** Assertions matched by description, else by name and the position among those of that name. */
function diffVerdicts(a: readonly RunReport[], b: readonly RunReport[]): VerdictDiff[] {
  const keysOf = (r: RunReport) => {
    const seen = new Map<string, number>();
    return r.assertions.map((x) => {
      const n = seen.get(x.name) ?? 0;
      seen.set(x.name, n + 1);
      return { description: x.description, byName: `${x.name}#${n}`, assertion: x };
    });
  };
  const [ka, kb] = [keysOf(a[0]), keysOf(b[0])];
  const matchB = (k: (typeof ka)[number]) =>
    kb.find((y) => y.description === k.description) ??
      kb.find((y) => y.byName === k.byName && !ka.some((x) => x.description === y.description));
  const rows: VerdictDiff[] = ka.map((k) => {
    const other = matchB(k);
    const row = verdictRow(k.description, shareOf(a, k.description), {
      b: other && shareOf(b, other.description),
      measured: { a: k.assertion.measured, b: other?.assertion.measured ?? null },
    });
    const descriptionB = other && other.description !== k.description ? other.description : null;
    return { ...row, descriptionB };
  });
  const matched = new Set(ka.map(matchB).filter((y) => y !== undefined));
  for (const y of kb.filter((y) => !matched.has(y))) {
    rows.push(verdictRow(y.description, null, {
      b: shareOf(b, y.description),
      measured: { a: null, b: y.assertion.measured },
    }));
  }
  return rows;
}

/** The share of runs where the assertion with this description passed; null where none has it. */
function shareOf(reports: readonly RunReport[], description: string): number | null {
  const found = reports.map((r) => r.assertions.find((x) => x.description === description))
    .filter((x) => x !== undefined);
  return found.length ? found.filter((x) => x.pass).length / found.length : null;
}

function verdictRow(
  description: string,
  a: number | null,
  side: { b: number | null | undefined; measured: VerdictDiff["measured"] },
): VerdictDiff {
  const { measured } = side;
  const bb = side.b ?? null;
  let change: VerdictChange = "same";
  if (a !== null && bb !== null && a !== bb) {
    if (a === 1 && bb === 0) change = "flipped-to-fail";
    else if (a === 0 && bb === 1) change = "flipped-to-pass";
    else change = bb < a ? "worse" : "better";
  }
  return { description, descriptionB: null, a, b: bb, measured, change };
}

function diffFigures(a: readonly RunReport[], b: readonly RunReport[]): FigureDiff[] {
  const [readingsA, readingsB] = [a.map(readFigures), b.map(readFigures)];
  const all = [...readingsA, ...readingsB].flat();
  const keys = [...new Set(all.map((f) => f.key))];
  return keys.map((key) => {
    // An error class a run never saw is 0 there, not unknown: a report lists all its errors.
    const absent = key.startsWith("errors.") ? 0 : null;
    const values = (side: FigureReading[][]) =>
      side.map((rs) => rs.find((f) => f.key === key)?.value ?? absent)
        .filter((v): v is number => v !== null);
    const [va, vb] = [values(readingsA), values(readingsB)];
    const [ma, mb] = [va.length ? mean(va) : null, vb.length ? mean(vb) : null];
    const { label, kind, better } = all.find((f) => f.key === key)!;
    const noise = judgeNoise(va, vb, { kind });
    const flag = flagOf(ma, mb, noise, better);
    return { key, label, kind, a: ma, b: mb, ratio: ratio(ma, mb), noise, flag };
  });
}

function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  if (a === 0) return b === 0 ? 1 : Infinity;
  return b / a;
}

function flagOf(
  a: number | null,
  b: number | null,
  noise: NoiseJudgement | null,
  better: "higher" | "lower" | null,
): FigureDiff["flag"] {
  if (a === null || b === null || !noise?.beyond) return null;
  if (better === null) return "changed";
  return (b > a) === (better === "higher") ? "better" : "worse";
}
