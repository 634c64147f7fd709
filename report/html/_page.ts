// The page shell of the HTML report: head, uPlot's script and styles inlined, the report and the
// charts as JSON, and the page script. Everything is inline: the file opens without a network.
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };
import pageScript from "./_page_script.js" with { type: "text" };
import type { PageCharts } from "./chart_spec.ts";
import { escapeHtml, jsonForScript } from "./escape.ts";

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; color: #222; max-width: 1100px; margin: 1.5em auto;
  padding: 0 1em; }
h1 { font-size: 1.4em; margin: 0 0 .2em; } h2 { font-size: 1.15em; margin: 1.6em 0 .4em;
  border-bottom: 1px solid #ddd; } h3 { font-size: 1em; margin: 1.2em 0 .2em; }
.headline { padding: .7em 1em; border-radius: 4px; margin: .8em 0; }
.pass { background: #e6f4ea; border-left: 6px solid #2ca02c; }
.fail { background: #fdecea; border-left: 6px solid #d62728; }
table { border-collapse: collapse; margin: .4em 0; } td, th { padding: .2em .7em; text-align: left;
  border-bottom: 1px solid #eee; vertical-align: top; } th { font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.PASS { color: #2ca02c; font-weight: 700; } .FAIL { color: #d62728; font-weight: 700; }
code, pre { font: 12.5px/1.4 ui-monospace, monospace; background: #f5f5f5; }
pre { padding: .6em; overflow-x: auto; white-space: pre-wrap; }
.note { color: #666; font-size: .92em; margin: .1em 0; }
.chart { margin: .2em 0 .8em; } .side { background: #fafafa; border: 1px solid #eee;
  padding: .4em .8em; margin: .4em 0; }
.side pre { max-height: 22em; overflow-y: auto; }
`;

/** What one page holds. */
export interface PageParts {
  /** `<title>`. */
  title: string;
  /** The body's HTML, already escaped. */
  bodyHtml: string;
  /** The charts the page script draws (into elements `chart-<id>`). */
  charts: PageCharts;
  /** Reports to inline as JSON (`#wedge-report-0`, ...), so the data travels with the page. */
  reports: unknown[];
}

/** The whole page. */
export function page(parts: PageParts): string {
  const reports = parts.reports.map((r, i) =>
    `<script type="application/json" id="wedge-report-${i}">${jsonForScript(r)}</script>`
  );
  return [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(parts.title)}</title>`,
    `<style>${uplotCss}\n${STYLE}</style>`,
    "</head><body>",
    parts.bodyHtml,
    ...reports,
    `<script type="application/json" id="wedge-charts">${jsonForScript(parts.charts)}</script>`,
    // uPlot's own header names it and its version; its MIT licence asks for the notice too.
    `<script>/*! uPlot: MIT License, Copyright (c) 2022 Leon Sorokin */\n${uplotJs}</script>`,
    `<script>${pageScript}</script>`,
    "</body></html>",
    "",
  ].join("\n");
}
