/**
 * The HTML report: one self-contained page per run (uPlot and the data inline, nothing fetched
 * when viewed), and two runs' timelines overlaid for `wedge diff --html`. Pure renderers: a
 * report in, an HTML string out.
 *
 * @example
 * ```ts
 * import { renderHtmlReport } from "./mod.ts";
 * import { reportFixture } from "../../tests/_report_fixture.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(renderHtmlReport(reportFixture()), /<title>wedge: fixture PASSED<\/title>/);
 * ```
 *
 * @module
 */

export { renderHtmlReport } from "./html_report.ts";
export { renderTimelineComparison, type TimelineComparisonOptions } from "./comparison.ts";
export { escapeHtml, jsonForScript } from "./escape.ts";
export type { ChartSpec, PageCharts, SeriesSpec } from "./chart_spec.ts";
