// The report's in flight at the end is unknown (null, "n/a"), never 0, when a client worker posted
// no final count: it never posted, failed, or was terminated after the stop's grace.
import assert from "node:assert/strict";
import { allRequestsComplete } from "../../assert/requests.ts";
import type { RunPlan } from "../../plan/plan.ts";
import { diffReports } from "../../report/diff.ts";
import { renderHtmlReport } from "../../report/html/mod.ts";
import { renderTextReport } from "../../report/text.ts";
import { RunCollector } from "../../run/collector.ts";
import { reportFixture } from "../_report_fixture.ts";

const PLAN = {
  servers: [{ id: 0 }],
  clients: [{ id: 0 }, { id: 1 }],
  workers: [{ id: 0 }, { id: 1 }],
  planned: 100,
} as unknown as RunPlan;

/** A snapshot from worker (and client) `id`: 10 completed, `inFlight` more sent. */
function snapshot(id: number, inFlight: number, final: boolean) {
  const counters = { sent: 10 + inFlight, completed: 10, ok: 10, errors: 0, abandoned: 0 };
  return {
    type: "snapshot" as const,
    workerId: id,
    final,
    roundsDone: final ? 1 : 0,
    clients: [{ id, ...counters, late: 0, lateBusy: 0, dropped: 0, retried: 0, bodyBytes: 0 }],
    completedByServer: [10],
    inFlightByServer: [inFlight],
    statusCodes: { "200": 10 },
    errors: [],
    retries: [],
    oldestInFlight: [],
    awaitingHeadersByServer: [],
    latencyDelta: null,
    correctedDelta: null,
    queueDelta: null,
  };
}

Deno.test("in flight at the end is null while a worker never posted, not 0", () => {
  const collector = new RunCollector(PLAN);
  assert.equal(collector.inFlightAtEnd(), null, "no worker posted");
  collector.apply(snapshot(0, 0, true));
  assert.equal(collector.totals().inFlight, 0, "the live total counts what was posted");
  assert.equal(collector.inFlightAtEnd(), null, "worker 1 never posted");
});

Deno.test("in flight at the end is null while a worker's last count is not its final one", () => {
  const collector = new RunCollector(PLAN);
  collector.apply(snapshot(0, 2, true));
  collector.apply(snapshot(1, 5, false));
  assert.equal(collector.inFlightAtEnd(), null, "worker 1 was terminated without a final count");
  collector.apply(snapshot(1, 3, true));
  assert.equal(collector.inFlightAtEnd(), 5, "both final: 2 + 3");
});

Deno.test("an unknown in flight at the end reads n/a, fails allRequestsComplete, and diffs", () => {
  const base = reportFixture();
  const report = reportFixture({
    outcome: "stalled",
    outcomeDetail: "stalled",
    totals: { ...base.totals, completed: 0, ok: 0, failed: 0, errors: 0, inFlight: null },
  });
  const text = renderTextReport(report);
  assert.match(text, /0 errors, n\/a in flight at the end/);
  assert.match(text, /STALLED: n\/a in flight never completed|planned requests ok/);
  assert.match(renderHtmlReport(report), /n\/a in flight at the end/);
  const verdict = allRequestsComplete().check(report);
  assert.equal(verdict.pass, false);
  assert.match(verdict.pass ? "" : verdict.detail ?? "", /in flight at the end unknown/);
  const figure = diffReports([base], [report]).figures.find((f) => f.key === "totals.inFlight");
  assert.deepEqual([figure?.a, figure?.b], [0, null]);
});
