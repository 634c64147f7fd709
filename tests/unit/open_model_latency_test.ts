// The open model's three latencies: corrected is never below service by construction, and
// `latencyBelow` judges the histogram it names (corrected, service or queue).
import assert from "node:assert/strict";
import { latencyBelow } from "../../mod.ts";
import { requestLatencies } from "../../plan/arrival_schedule.ts";
import { createRandom } from "../../plan/random.ts";
import type { LatencySummary } from "../../report/types.ts";
import { reportFixture } from "../_report_fixture.ts";

Deno.test("corrected latency is never below service latency, even when a timer fired early", () => {
  // A request sent 3 ms before its intended time: measured from its actual send.
  assert.deepEqual(requestLatencies(50, { sentAtMs: 47, endMs: 60 }), {
    serviceMs: 13,
    correctedMs: 13,
    queueMs: 0,
  });
  const random = createRandom(6);
  for (let i = 0; i < 1000; i++) {
    const intended = random() * 1000;
    const sentAt = intended + (random() - 0.3) * 50; // early or late
    const end = sentAt + random() * 100;
    const l = requestLatencies(intended, { sentAtMs: sentAt, endMs: end });
    assert.ok(l.correctedMs >= l.serviceMs, JSON.stringify({ intended, sentAt, end, l }));
    assert.ok(l.queueMs >= 0);
    assert.ok(Math.abs(l.correctedMs - (l.serviceMs + l.queueMs)) < 1e-9);
    assert.equal(l.serviceMs, end - sentAt);
  }
});

function summary(p99: number): LatencySummary {
  return {
    count: 100,
    min: p99 / 10,
    mean: p99 / 2,
    max: p99 * 2,
    stdev: 1,
    percentiles: { p50: p99 / 2, p75: p99 / 2, p90: p99, p95: p99, p99, "p99.9": p99 * 2 },
    histogram: [],
  };
}

Deno.test("latencyBelow judges the service and queue histograms when asked", () => {
  const open = reportFixture({
    latency: summary(400),
    latencyBreakdown: { corrected: summary(400), service: summary(20), queue: summary(380) },
  });
  const verdict = (options: Parameters<typeof latencyBelow>[1]) =>
    latencyBelow({ p99: "50ms" }, options).check(open);
  assert.equal(verdict({}).pass, false); // corrected by default
  assert.equal(verdict({ histogram: "corrected" }).pass, false);
  const service = verdict({ histogram: "service" });
  assert.equal(service.pass, true, service.measured);
  assert.match(service.measured, /^p99 = 20(\.0+)?ms$/);
  const queue = verdict({ histogram: "queue" });
  assert.equal(queue.pass, false);
  assert.match(queue.detail!, /p99 380(\.0+)?ms is not below 50(\.0+)?ms/);
  assert.equal(latencyBelow({ p99: "500ms" }, { histogram: "queue" }).check(open).pass, true);
  assert.match(
    latencyBelow({ p99: "1s" }, { histogram: "service" }).description,
    /p99 service latency below 1/,
  );
});

Deno.test("in a closed loop, service latency is the latency and queue latency is not measured", () => {
  const closed = reportFixture({ latency: summary(30), latencyBreakdown: null });
  assert.equal(latencyBelow({ p99: "50ms" }, { histogram: "service" }).check(closed).pass, true);
  assert.equal(latencyBelow({ p99: "20ms" }, { histogram: "service" }).check(closed).pass, false);
  const queue = latencyBelow({ p99: "1s" }, { histogram: "queue" }).check(closed);
  assert.equal(queue.pass, false);
  assert.equal(queue.measured, "not measured");
  assert.match(queue.detail!, /only in an open model/);
});
