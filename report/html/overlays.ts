/**
 * What the HTML report draws over every time chart: a line at each incident with a moment (a
 * server that stopped accepting, a process that exited) and the stall window shaded. Pure.
 *
 * @module
 */

import { formatDuration } from "../../units/duration.ts";
import type { BandSpec, MarkerSpec, PageCharts } from "./chart_spec.ts";
import { escapeHtml as e } from "./escape.ts";
import type { RunReport as Report } from "../types.ts";

/**
 * The incident lines of a run: its timed incidents (older reports: the server processes that
 * exited early). Incidents without a moment are listed in the page, not drawn.
 *
 * @param report The run report.
 * @returns One marker per timed incident, in the report's order.
 *
 * @example
 * ```ts
 * import { incidentMarkers } from "./overlays.ts";
 * import { reportFixture } from "../../tests/_report_fixture.ts";
 * import assert from "node:assert/strict";
 *
 * const report = reportFixture({
 *   incidentMarks: [
 *     { atMs: 1500, kind: "process-exited", text: "app[0] exited" },
 *     { atMs: null, kind: "other", text: "no moment" },
 *   ],
 * });
 * assert.deepEqual(incidentMarkers(report), [{ atS: 1.5, label: "app[0] exited" }]);
 * ```
 */
export function incidentMarkers(report: Report): MarkerSpec[] {
  if (report.incidentMarks) {
    return report.incidentMarks.flatMap((m) =>
      m.atMs === null ? [] : [{ atS: m.atMs / 1000, label: m.text }]
    );
  }
  return report.serverProcesses.flatMap((p) =>
    p.exit?.early
      ? [{
        atS: p.exit.atMs / 1000,
        label: `${p.name} exited (${p.exit.signal ?? `code ${p.exit.code}`})`,
      }]
      : []
  );
}

/**
 * The stall window: from the last progress to the watchdog's trip when it stopped the run, with
 * the diagnosis's first hint; else the longest pause, when there was one.
 *
 * @param report The run report.
 * @returns Zero or one band.
 *
 * @example
 * ```ts
 * import { stallBands } from "./overlays.ts";
 * import { reportFixture } from "../../tests/_report_fixture.ts";
 * import assert from "node:assert/strict";
 *
 * const report = reportFixture({ longestStallByProgress: { completions: { fromMs: 500, durationMs: 250 }, responses: null } });
 * assert.deepEqual(stallBands(report), [{ fromS: 0.5, toS: 0.75, label: "longest pause: 250.0ms (no stall)" }]);
 * ```
 */
export function stallBands(report: Report): BandSpec[] {
  const stall = report.stall;
  if (stall) {
    return [{
      fromS: stall.progressStoppedAtMs / 1000,
      toS: stall.detectedAtMs / 1000,
      label: `stall: nothing completed for ${
        formatDuration(stall.detectedAtMs - stall.progressStoppedAtMs)
      }${stall.hints.length ? `; ${stall.hints[0]}` : ""}`,
    }];
  }
  const pause = report.longestStallByProgress.completions;
  if (!pause || pause.durationMs <= 0) return [];
  return [{
    fromS: pause.fromMs / 1000,
    toS: (pause.fromMs + pause.durationMs) / 1000,
    label: `longest pause: ${formatDuration(pause.durationMs)} (no stall)`,
  }];
}

/**
 * How to read the time charts, as note paragraphs: a lead line, then each shaded span and each
 * incident line (past `listed` of them, a count of the rest, which "Incidents" lists).
 *
 * @param charts The page's shaded spans and incident lines.
 * @param options `lead`: the first line; `listed`: the most incident lines written out (all when
 *   absent).
 * @returns HTML.
 *
 * @example
 * ```ts
 * import { timelineNoteHtml } from "./overlays.ts";
 * import assert from "node:assert/strict";
 *
 * const markers = [1, 2, 3].map((atS) => ({ atS, label: `incident ${atS}` }));
 * const html = timelineNoteHtml({ markers, bands: [] }, { lead: "Seconds.", listed: 2 });
 * assert.match(html, /Dashed red line at 2\.00 s: incident 2/);
 * assert.match(html, /\.\.\. and 1 more dashed lines/);
 * ```
 */
export function timelineNoteHtml(
  charts: Pick<PageCharts, "markers" | "bands">,
  options: { lead: string; listed?: number },
): string {
  const listed = options.listed ?? charts.markers.length;
  const lines = [
    options.lead,
    ...charts.bands.map((b) => `Shaded ${b.fromS.toFixed(2)}-${b.toS.toFixed(2)} s: ${b.label}`),
    ...charts.markers.slice(0, listed).map((m) =>
      `Dashed red line at ${m.atS.toFixed(2)} s: ${m.label}`
    ),
    ...(charts.markers.length > listed
      ? [
        `... and ${
          charts.markers.length - listed
        } more dashed lines: every incident is listed under "Incidents" below.`,
      ]
      : []),
  ];
  return lines.map((l) => `<p class="note">${e(l)}</p>`).join("\n");
}
