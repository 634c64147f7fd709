/**
 * Renders a {@linkcode RunDiff} (`wedge diff A.json B.json`) as text: the two sides, the params
 * that differ, the outcome, each assertion's verdict A -> B, each figure with its ratio B/A, `!`
 * before what matters, and the verdict of the comparison. Renders only.
 *
 * @module
 */

import { formatByteSize } from "../../units/byte_size.ts";
import { formatDuration } from "../../units/duration.ts";
import type { FigureDiff, RunDiff, SideSummary, VerdictDiff } from "../diff.ts";
import { DEFAULT_NOISE } from "../diff.ts";

/** Options of {@linkcode renderDiff}. */
export interface RenderDiffOptions {
  /** What to call each side, e.g. the files' paths. @default {["A", "B"]} */
  labels?: [string, string];
}

/**
 * Renders the comparison.
 *
 * @param diff The comparison from `diffReports`.
 * @param options What to call the sides.
 * @returns Text ending with a newline.
 *
 * @example
 * ```ts ignore
 * console.log(renderDiff(diffReports([a], [b]), { labels: ["a.json", "b.json"] }));
 * ```
 */
export function renderDiff(diff: RunDiff, options: RenderDiffOptions = {}): string {
  const [la, lb] = options.labels ?? ["A", "B"];
  const lines = [
    `A: ${la} (${side(diff.sides.a)})`,
    `B: ${lb} (${side(diff.sides.b)})`,
    "",
    ...renderParams(diff),
    "",
    `${diff.outcome.worse ? "!" : " "} Outcome: A ${diff.outcome.a}, B ${diff.outcome.b}${
      diff.outcome.worse ? "  <- worse" : diff.outcome.better ? "  <- better" : ""
    }`,
    "",
    "Assertions (A -> B):",
    ...(diff.verdicts.length ? diff.verdicts.map((v) => renderVerdict(v, diff)) : ["  (none)"]),
    "",
    ...renderFigures(diff),
    "",
    renderConclusion(diff),
  ];
  return lines.join("\n") + "\n";
}

function side(s: SideSummary): string {
  const runs = s.runs === 1 ? "1 run" : `${s.runs} runs`;
  const seeds = s.seeds.length <= 5 ? s.seeds.join(", ") : `${s.seeds.slice(0, 5).join(", ")}, ...`;
  return `${s.scenario}, ${runs}, seed${s.seeds.length === 1 ? "" : "s"} ${seeds}`;
}

function renderParams(diff: RunDiff): string[] {
  if (diff.params.length === 0) return ["Params: the same"];
  return [
    "Params that differ:",
    ...diff.params.map((p) => `  ${p.key}: A ${p.a ?? "(none)"}, B ${p.b ?? "(none)"}`),
  ];
}

function verdictText(share: number | null, runs: number): string {
  if (share === null) return "-";
  if (runs === 1) return share === 1 ? "PASS" : "FAIL";
  return `${Math.round(share * runs)}/${runs} pass`;
}

function renderVerdict(v: VerdictDiff, diff: RunDiff): string {
  const bad = v.change === "flipped-to-fail" || v.change === "worse";
  const a = verdictText(v.a, diff.sides.a.runs);
  const b = verdictText(v.b, diff.sides.b.runs);
  const note = v.change === "same" ? "" : `  <- ${v.change.replaceAll("-", " ")}`;
  const first = diff.sides.a.runs > 1 || diff.sides.b.runs > 1 ? " (first run)" : "";
  const measured = `A${first} ${v.measured.a ?? "n/a"}; B${first} ${v.measured.b ?? "n/a"}`;
  const description = v.descriptionB ? `${v.description} (B: ${v.descriptionB})` : v.description;
  return `${bad ? "!" : " "} ${`${a} -> ${b}`.padEnd(22)} ${description}: ${measured}${note}`;
}

function renderFigures(diff: RunDiff): string[] {
  const repeats = diff.sides.a.runs >= 2 && diff.sides.b.runs >= 2;
  const d = DEFAULT_NOISE;
  const noise = repeats
    ? "noise: 2 standard errors of each side's runs"
    : `noise: default thresholds, ${pct(d.rate)} for rates, counts and peaks, ${
      pct(d.latency)
    } for latencies, ${d.share * 100} point for the success rate`;
  const width = Math.max(...diff.figures.map((f) => f.label.length), 6);
  const header = `  ${"".padEnd(width)} ${"A".padStart(12)} ${"B".padStart(12)} ${
    "B/A".padStart(8)
  }`;
  const rows = diff.figures.map((f) =>
    `${f.flag === "worse" ? "!" : " "} ${f.label.padEnd(width)} ${value(f, f.a).padStart(12)} ${
      value(f, f.b).padStart(12)
    } ${ratioText(f.ratio).padStart(8)}${f.flag ? `  ${f.flag}` : ""}`
  );
  return [`Figures, B/A (! worse beyond noise):`, `  ${noise}`, header, ...rows];
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** A figure's value in its unit; n/a where unknown. */
function value(f: FigureDiff, v: number | null): string {
  if (v === null) return "n/a";
  if (f.key === "successRate") return `${(v * 100).toFixed(2)}%`;
  if (f.key.startsWith("rss.") || f.key === "process.peakRssBytes") return formatByteSize(v);
  if (f.kind === "latency") return formatDuration(v);
  if (f.kind === "rate") return v.toFixed(1);
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function ratioText(r: number | null): string {
  if (r === null) return "n/a";
  if (r === Infinity) return "new";
  return `${r.toFixed(2)}x`;
}

function renderConclusion(diff: RunDiff): string {
  const flipped = diff.verdicts.filter((v) =>
    v.change === "flipped-to-fail" || v.change === "worse"
  );
  const worse = diff.figures.filter((f) => f.flag === "worse").length;
  const figures = `${worse} figure${worse === 1 ? "" : "s"} worse beyond noise`;
  if (!diff.regressed) return `NO REGRESSION: no verdict got worse; ${figures} (exit 0)`;
  const what = [
    ...(flipped.length ? [`${flipped.length} assertion(s) got worse`] : []),
    ...(diff.outcome.worse ? [`the outcome got worse (${diff.outcome.b})`] : []),
  ];
  return `REGRESSED: ${what.length ? what.join(", ") : "fewer runs passed"}; ${figures} (exit 1)`;
}
