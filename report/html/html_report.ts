/**
 * The HTML report of one run: one self-contained page (uPlot, the charts' data and the report's
 * JSON inline; nothing fetched when it is viewed). Pure: a report in, a string out.
 *
 * @module
 */

import { renderStallDiagnosis } from "../text/stall.ts";
import { renderTextReport } from "../text.ts";
import type { RunReport } from "../types.ts";
import type { ChartSpec, PageCharts } from "./chart_spec.ts";
import { escapeHtml as e } from "./escape.ts";
import { latencyCharts, memoryCheckpointChart } from "./other_charts.ts";
import { incidentMarkers, stallBands, timelineNoteHtml } from "./overlays.ts";
import { page } from "./_page.ts";
import { assertionsHtml, errorsHtml, factsHtml, headlineHtml } from "./sections.ts";
import { timelineCharts } from "./timeline_charts.ts";

/**
 * Renders a run report as one self-contained HTML page: the headline, the time charts (one
 * cursor and zoom across them, incidents marked, the stall shaded with its diagnosis), the
 * memory readings per load with the verdict, latency, assertions, the run's facts with the
 * command that replays it, and the text report. The report's JSON is inline
 * (`<script id="wedge-report-0">`).
 *
 * @param report The run report (a saved one renders too: fields added later are optional).
 * @returns The page.
 *
 * @example
 * ```ts
 * import { renderHtmlReport } from "./html_report.ts";
 * import { reportFixture } from "../../tests/_report_fixture.ts";
 * import assert from "node:assert/strict";
 *
 * const html = renderHtmlReport(reportFixture());
 * assert.match(html, /^<!DOCTYPE html>/);
 * assert.ok(!/<script[^>]+src=/.test(html)); // nothing loaded from elsewhere
 * ```
 */
export function renderHtmlReport(report: RunReport): string {
  const time = timelineCharts(report);
  const memory = report.memory ? memoryCheckpointChart(report.memory) : null;
  const latency = latencyCharts(report);
  const charts: PageCharts = {
    charts: [...time, ...(memory ? [memory] : []), ...latency],
    markers: incidentMarkers(report),
    bands: stallBands(report),
  };
  const body = [
    headlineHtml(report),
    report.stall
      ? `<div class="side"><strong>Stall diagnosis</strong><pre>${
        e(renderStallDiagnosis(report.stall))
      }</pre></div>`
      : "",
    `<h2>Timeline</h2>`,
    timelineNoteHtml(charts, {
      lead:
        "Seconds since the load started. Drag across a chart to zoom every time chart; double-click to zoom out.",
      listed: MARKERS_LISTED,
    }),
    ...time.map(chartHtml),
    memory
      ? `<h2>Memory after each load</h2>${chartHtml(memory)}${memoryVerdictsHtml(report)}`
      : "",
    `<h2>Latency</h2>`,
    latency.length
      ? latency.map(chartHtml).join("\n")
      : `<p class="note">No request got a response: no latency.</p>`,
    `<h2>Assertions</h2>`,
    assertionsHtml(report),
    errorsHtml(report),
    `<h2>The run</h2>`,
    factsHtml(report),
    `<details><summary>The text report</summary><pre>${
      e(renderTextReport(report))
    }</pre></details>`,
  ];
  return page({
    title: `wedge: ${report.scenario.name} ${report.passed ? "PASSED" : "FAILED"}`,
    bodyHtml: body.join("\n"),
    charts,
    reports: [report],
  });
}

/**
 * A chart's heading, the element uPlot draws into, and its notes; a chart with no known series
 * is only its heading and notes.
 *
 * @param spec The chart.
 * @returns HTML.
 *
 * @example
 * ```ts
 * import { chartHtml } from "./html_report.ts";
 * import assert from "node:assert/strict";
 *
 * const spec = { id: "fds", title: "fds", axis: "time" as const, unit: "count" as const,
 *   series: [], data: [[1]], notes: ["runtime: not measured in this run (n/a)"] };
 * assert.match(chartHtml(spec), /Not drawn: nothing measured/);
 * ```
 */
export function chartHtml(spec: ChartSpec): string {
  const notes = spec.notes.map((n) => `<p class="note">${e(n)}</p>`).join("");
  if (spec.series.length === 0) {
    return `<h3>${e(spec.title)}</h3><p class="note">Not drawn: nothing measured.</p>${notes}`;
  }
  return `<h3>${e(spec.title)}</h3><div class="chart" id="chart-${e(spec.id)}"></div>${notes}`;
}

/** Incident lines listed above the charts; past this, the rest are counted (all are drawn). */
const MARKERS_LISTED = 8;

/** The memory verdicts: each memory assertion's result with its summary (baseline, slope, verdict). */
function memoryVerdictsHtml(report: RunReport): string {
  const verdicts = report.assertions.filter((a) => a.name === "rssDeltaBelow");
  if (verdicts.length === 0) {
    return `<p class="note">No memory assertion judged these readings.</p>`;
  }
  return verdicts.map((a) =>
    `<div class="side"><span class="${a.pass ? "PASS" : "FAIL"}">${
      a.pass ? "PASS" : "FAIL"
    }</span> ${e(a.description)}: <strong>${e(a.measured)}</strong>${
      a.detail ? `<p>${e(a.detail)}</p>` : ""
    }</div>`
  ).join("\n");
}
