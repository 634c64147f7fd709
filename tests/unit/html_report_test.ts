// The HTML report's renderers (report/html/): the inlined JSON cannot end its <script> early, the
// page loads nothing from elsewhere, unknown values stay gaps (never 0), rates and overlays.
import assert from "node:assert/strict";
import { renderHtmlReport, renderTimelineComparison } from "../../report/html/mod.ts";
import { timelineCharts } from "../../report/html/timeline_charts.ts";
import { stallBands } from "../../report/html/overlays.ts";
import type { PageCharts } from "../../report/html/chart_spec.ts";
import type { RunReport, TimelinePoint } from "../../report/types.ts";
import { reportFixture } from "../_report_fixture.ts";

const EVIL = "</script><script>globalThis.pwned = 1</script><!--";

/** The text of `<script type="application/json" id="ID">`, as a browser's parser ends it. */
function scriptText(html: string, id: string): string {
  const open = `<script type="application/json" id="${id}">`;
  const start = html.indexOf(open);
  assert.ok(start >= 0, `no #${id}`);
  const from = start + open.length;
  return html.slice(from, html.indexOf("</script", from));
}

function point(atMs: number, fields: Partial<TimelinePoint> = {}): TimelinePoint {
  return {
    atMs,
    completed: 0,
    inFlight: 0,
    errors: 0,
    openStreams: null,
    timeWait: null,
    established: null,
    sockets: null,
    openFds: null,
    rssBytes: null,
    listenDrops: null,
    ...fields,
  };
}

Deno.test("a </script> in the report's text cannot end the inlined JSON: it parses back whole", () => {
  const report = reportFixture({
    scenario: { name: EVIL, description: EVIL, file: null, params: { label: EVIL } },
    errors: [{ class: "other", message: EVIL, count: 1 }],
    incidents: [EVIL],
  });
  const html = renderHtmlReport(report);
  assert.ok(!html.includes("<script>globalThis.pwned"), "the injected script is in the page");
  assert.deepEqual(JSON.parse(scriptText(html, "wedge-report-0")), report);
  const charts: PageCharts = JSON.parse(scriptText(html, "wedge-charts"));
  assert.equal(charts.charts[0].id, "throughput");
  // Text shown in the page is escaped too.
  assert.match(html, /<h1>&lt;\/script&gt;&lt;script&gt;globalThis\.pwned/);
});

Deno.test("the page is self-contained: no script, style or image is loaded from elsewhere", () => {
  const html = renderHtmlReport(reportFixture());
  assert.doesNotMatch(html, /<script[^>]*\ssrc=/);
  assert.doesNotMatch(html, /<link[^>]*\shref=/);
  assert.doesNotMatch(html, /<img[^>]*\ssrc=/);
  assert.match(html, /uPlot/); // the library is inline
});

Deno.test("an unknown value stays a gap (null), and a series unknown all along is named, not drawn", () => {
  const report = reportFixture({
    timeline: [
      point(250, { completed: 100, openFds: 30, rssBytes: 1e6 }),
      point(500, { completed: 200, openFds: null, rssBytes: 2e6 }),
      point(750, { completed: 300, openFds: 50, rssBytes: 3e6 }),
    ],
    process: { pid: 1, fdLimit: null, peakOpenFds: 50, peakRssBytes: null },
    memory: null,
  });
  const byId = new Map(timelineCharts(report).map((c) => [c.id, c]));
  const fds = byId.get("fds")!;
  assert.deepEqual(fds.series.map((s) => s.label), ["runtime"]);
  assert.deepEqual(fds.data[1], [30, null, 50]);
  assert.ok(fds.notes.some((n) => /limit: unknown/.test(n)), fds.notes.join("; "));
  const sockets = byId.get("sockets")!;
  assert.equal(sockets.series.length, 0);
  assert.ok(sockets.notes.some((n) => /^ESTABLISHED: not measured/.test(n)));
  const streams = byId.get("streams")!;
  assert.equal(streams.series.length, 0);
  assert.deepEqual(streams.notes, ["no HTTP/2 server in this run"]);
  const html = renderHtmlReport(report);
  assert.match(html, /ESTABLISHED: not measured in this run \(n\/a\)/);
  assert.doesNotMatch(html, /id="chart-sockets"/);
});

Deno.test("completions and errors per second come from the cumulative counts between points", () => {
  const report = reportFixture({
    timeline: [
      point(500, { completed: 100, errors: 0, errorsByClass: {} }),
      point(1000, { completed: 400, errors: 10, errorsByClass: { timeout: 10 } }),
      point(2000, {
        completed: 400,
        errors: 30,
        errorsByClass: { timeout: 10, connection_reset: 20 },
      }),
    ],
  });
  const throughput = timelineCharts(report)[0];
  assert.deepEqual(throughput.series.map((s) => s.label), [
    "completed/s",
    "errors/s: timeout",
    "errors/s: connection_reset",
  ]);
  assert.deepEqual(throughput.data, [
    [0.5, 1, 2],
    [200, 600, 0],
    [0, 20, 0],
    [0, 0, 20],
  ]);
});

Deno.test("each process's fds and RSS, with each distinct fd limit once", () => {
  const report = reportFixture({
    timelineProcesses: [
      { name: "runtime", role: "runtime", pid: 1, fleet: null, fdLimit: 20000 },
      { name: "app[0]", role: "command", pid: 2, fleet: "app", fdLimit: 20000 },
      { name: "py[0]", role: "command", pid: 3, fleet: "py", fdLimit: 512 },
    ],
    timeline: [point(250, { processOpenFds: [40, 7, null], processRssBytes: [9e7, 3e7, null] })],
  });
  const byId = new Map(timelineCharts(report).map((c) => [c.id, c]));
  assert.deepEqual(byId.get("fds")!.series.map((s) => s.label), [
    "runtime",
    "app[0]",
    "limit (runtime, app[0])",
    "limit (py[0])",
  ]);
  assert.deepEqual(byId.get("fds")!.data.slice(1), [[40], [7], [20000], [512]]);
  assert.deepEqual(byId.get("rss")!.series.map((s) => s.label), ["runtime", "app[0]"]);
  assert.ok(byId.get("rss")!.notes.includes("py[0]: not measured in this run (n/a)"));
});

Deno.test("the stall window is shaded from the last progress to the watchdog's trip, with its diagnosis", () => {
  const stall = {
    progressStoppedAtMs: 2000,
    detectedAtMs: 7000,
    hints: ["the servers stopped accepting: EMFILE"],
  } as unknown as RunReport["stall"];
  assert.deepEqual(stallBands(reportFixture({ stall })), [{
    fromS: 2,
    toS: 7,
    label: "stall: nothing completed for 5.00s; the servers stopped accepting: EMFILE",
  }]);
});

Deno.test("the headline names the first failing assertion with what it measured", () => {
  const html = renderHtmlReport(reportFixture({
    passed: false,
    assertions: [
      { name: "a", description: "first holds", pass: true, measured: "ok" },
      { name: "b", description: "p99 below 5ms", pass: false, measured: "p99 = 40ms" },
      { name: "c", description: "third fails", pass: false, measured: "x" },
    ],
  }));
  assert.match(html, /class="headline fail"><strong>FAILED: p99 below 5ms \(measured p99 = 40ms\)/);
  assert.match(html, /<pre id="replay">deno task scenario fixture --seed 7 --set n=1<\/pre>/);
});

Deno.test("a memory run draws the reading after each load, the baseline dashed, the verdict beside", () => {
  const html = renderHtmlReport(reportFixture({
    memory: {
      intervalMs: 250,
      processes: [
        { name: "runtime", role: "runtime", pid: 1, fleet: null, peakRssBytes: null },
        { name: "app[0]", role: "command", pid: 2, fleet: "app", peakRssBytes: null },
      ],
      timeline: [],
      rounds: { warmup: 1, iterations: 3, settleMs: 500 },
      checkpoints: [0, 1, 2, 3, 4].map((round) => ({
        round,
        atMs: round * 1000,
        completed: round * 100,
        rssBytes: [5e7, 1e7 + round * 1e6],
      })),
    },
    assertions: [{
      name: "rssDeltaBelow",
      description: "app memory grows less than 2MiB",
      pass: false,
      measured: "+2.86MiB over 3 iterations: growing",
      detail: "app memory went from ...; slope +9.5KiB per request.",
    }],
    passed: false,
  }));
  const charts: PageCharts = JSON.parse(scriptText(html, "wedge-charts"));
  const memory = charts.charts.find((c) => c.id === "memory-rounds")!;
  assert.deepEqual(memory.series.map((s) => [s.label, s.dashed ?? false]), [
    ["app[0]", false],
    ["app[0] baseline", true],
  ]);
  assert.deepEqual(memory.data[1], [10e6, 11e6, 12e6, 13e6, 14e6]);
  assert.deepEqual(memory.data[2], [11e6, 11e6, 11e6, 11e6, 11e6]);
  assert.match(memory.notes[0], /^runtime: wedge's own process, not judged, left out/);
  assert.match(
    html,
    /\+2\.86MiB over 3 iterations: growing<\/strong><p>app memory went from \.\.\.; slope/,
  );
});

Deno.test("two runs overlay on joined times: A solid, B dashed in the same colour, both inline", () => {
  const a = reportFixture({ timeline: [point(250, { inFlight: 4 }), point(500, { inFlight: 6 })] });
  const b = reportFixture({ seed: 8, timeline: [point(300, { inFlight: 9 })] });
  const html = renderTimelineComparison(a, b, {
    labels: ["pool", "no pool"],
    prefaceHtml: "<p>T</p>",
  });
  const charts: PageCharts = JSON.parse(scriptText(html, "wedge-charts"));
  const inflight = charts.charts.find((c) => c.id === "inflight")!;
  assert.deepEqual(inflight.data, [[0.25, 0.3, 0.5], [4, null, 6], [null, 9, null]]);
  assert.deepEqual(inflight.series.map((s) => [s.label, s.dashed ?? false]), [
    ["pool: in flight", false],
    ["no pool: in flight", true],
  ]);
  assert.equal(inflight.series[0].color, inflight.series[1].color);
  assert.equal(JSON.parse(scriptText(html, "wedge-report-1")).seed, 8);
  assert.match(html, /<p>T<\/p>/);
});

Deno.test("the headline of a run whose only clients are the user's own is the servers' view, not 0 req/s", () => {
  const commandClients = { source: "", received: 2000, answered: 1990, processes: [], stall: null };
  const report = reportFixture({
    clients: [],
    commandClients,
    durationMs: 500,
    requestsPerSecond: 0,
  });
  const html = renderHtmlReport(report);
  assert.match(
    html,
    /Your own clients \(server view\): 2000 received, 1990 answered by the servers, 3980\.0 a second over 500\.0ms; latency n\/a/,
  );
  assert.doesNotMatch(html, /0\.0 req\/s over/);
  // wedge's own clients: their figures, as before.
  assert.match(renderHtmlReport(reportFixture()), /req\/s over /);
});
