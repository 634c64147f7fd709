/**
 * Two runs' timelines overlaid on one page (for `wedge diff --html`): each time chart of run A
 * and run B on the same axes, A solid and B dashed in the same colour, both runs' incidents
 * and stalls marked. Pure.
 *
 * @module
 */

import type { RunReport } from "../types.ts";
import type { ChartSpec, PageCharts } from "./chart_spec.ts";
import { escapeHtml as e } from "./escape.ts";
import { chartHtml } from "./html_report.ts";
import { incidentMarkers, stallBands, timelineNoteHtml } from "./overlays.ts";
import { page } from "./_page.ts";
import { timelineCharts } from "./timeline_charts.ts";

/** Options of {@linkcode renderTimelineComparison}. */
export interface TimelineComparisonOptions {
  /** What to call the two runs in legends. @default {["A", "B"]} */
  labels?: [string, string];
  /** The page's title and heading. @default {"wedge diff: <A's scenario> vs <B's scenario>"} */
  title?: string;
  /** HTML placed above the charts (the caller's, already escaped), e.g. the diff's table. @default {""} */
  prefaceHtml?: string;
}

/**
 * Renders two runs' timelines overlaid, as one self-contained page (both reports' JSON inline).
 *
 * @param a The first run (solid lines).
 * @param b The second run (dashed lines).
 * @param options Labels, title, and HTML to put above the charts.
 * @returns The page.
 *
 * @example
 * ```ts
 * import { renderTimelineComparison } from "./comparison.ts";
 * import { reportFixture } from "../../tests/_report_fixture.ts";
 * import assert from "node:assert/strict";
 *
 * const html = renderTimelineComparison(reportFixture(), reportFixture({ seed: 8 }), {
 *   labels: ["pool on", "pool off"],
 * });
 * assert.match(html, /pool off: completed\/s/);
 * ```
 */
export function renderTimelineComparison(
  a: RunReport,
  b: RunReport,
  options: TimelineComparisonOptions = {},
): string {
  const [la, lb] = options.labels ?? ["A", "B"];
  const title = options.title ?? `wedge diff: ${a.scenario.name} vs ${b.scenario.name}`;
  const chartsB = new Map(timelineCharts(b).map((c) => [c.id, c]));
  const charts = timelineCharts(a).map((c) => overlay(c, chartsB.get(c.id)!, [la, lb]));
  const tag = (label: string) => <T extends { label: string }>(m: T) => ({
    ...m,
    label: `${label}: ${m.label}`,
  });
  const pageCharts: PageCharts = {
    charts,
    markers: [...incidentMarkers(a).map(tag(la)), ...incidentMarkers(b).map(tag(lb))],
    bands: [...stallBands(a).map(tag(la)), ...stallBands(b).map(tag(lb))],
  };
  const body = [
    `<h1>${e(title)}</h1>`,
    options.prefaceHtml ?? "",
    `<h2>Timelines: ${e(la)} solid, ${e(lb)} dashed</h2>`,
    timelineNoteHtml(pageCharts, {
      lead:
        "Seconds since each load started. Drag across a chart to zoom every chart; double-click to zoom out.",
    }),
    ...charts.map(chartHtml),
  ];
  return page({ title, bodyHtml: body.join("\n"), charts: pageCharts, reports: [a, b] });
}

/** One chart of both runs: their x values joined, A's series solid, B's dashed in the same colour. */
function overlay(a: ChartSpec, b: ChartSpec, [la, lb]: [string, string]): ChartSpec {
  const x = [...new Set([...a.data[0], ...b.data[0]] as number[])].sort((p, q) => p - q);
  const on = (spec: ChartSpec) => {
    const at = new Map((spec.data[0] as number[]).map((v, i) => [v, i]));
    return spec.data.slice(1).map((values) => x.map((v) => at.has(v) ? values[at.get(v)!] : null));
  };
  const colorOf = new Map(a.series.map((s) => [s.label, s.color]));
  return {
    ...a,
    series: [
      ...a.series.map((s) => ({ ...s, label: `${la}: ${s.label}`, spanGaps: true })),
      ...b.series.map((s) => ({
        ...s,
        label: `${lb}: ${s.label}`,
        color: colorOf.get(s.label) ?? s.color,
        dashed: true,
        spanGaps: true,
      })),
    ],
    data: [x, ...on(a), ...on(b)],
    notes: [...a.notes.map((n) => `${la}: ${n}`), ...b.notes.map((n) => `${lb}: ${n}`)],
  };
}
