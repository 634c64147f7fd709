// The socket peaks a report gives: an ESTABLISHED peak of 0 with no census read during the load is
// unknown (a load shorter than the census interval), never 0; one seen, or 0 seen during the
// load, is what it is.
import assert from "node:assert/strict";
import type { RunPlan } from "../../plan/plan.ts";
import { RunCollector } from "../../run/collector.ts";
import { countSockets } from "../../system/socket_census.ts";
import { renderTextReport } from "../../report/text.ts";
import { reportFixture } from "../_report_fixture.ts";

const PLAN = { servers: [{ id: 0 }], clients: [], workers: [], planned: 0 } as unknown as RunPlan;
const tw = {
  localPort: 50001,
  remotePort: 8080,
  state: "TIME_WAIT",
  rxQueue: 0,
  txQueue: 0,
} as const;
const est = { ...tw, state: "ESTABLISHED" } as const;

Deno.test("no census during the load: the ESTABLISHED peak is unknown, TIME_WAIT as the end saw it", () => {
  const collector = new RunCollector(PLAN);
  collector.observeCensus(countSockets([], new Set([8080]))); // as the load started
  collector.observeCensus(countSockets([tw], new Set([8080]))); // as it ended
  const sockets = collector.sockets()!;
  assert.equal(sockets.peakEstablished, null);
  assert.equal(sockets.peakTimeWait, 1);
  const text = renderTextReport(reportFixture({ sockets }));
  assert.match(text, /peak TIME_WAIT 1, peak ESTABLISHED n\/a \(no census during the load\);/);
});

Deno.test("a census during the load: its peaks, 0 included", () => {
  const zero = new RunCollector(PLAN);
  zero.observeCensus(countSockets([tw], new Set([8080])), { during: true });
  assert.equal(zero.sockets()!.peakEstablished, 0);
  const seen = new RunCollector(PLAN);
  seen.observeCensus(countSockets([est], new Set([8080]))); // seen at the end: a lower bound
  assert.equal(seen.sockets()!.peakEstablished, 1);
});
