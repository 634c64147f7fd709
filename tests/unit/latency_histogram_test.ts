import assert from "node:assert/strict";
import { LatencyHistogram } from "../../report/latency_histogram.ts";

Deno.test("percentiles of a uniform 1..1000ms sample are within HDR precision", () => {
  const h = new LatencyHistogram();
  for (let ms = 1; ms <= 1000; ms++) h.recordMs(ms);
  const s = h.summary();
  assert.equal(s.count, 1000);
  assert.ok(Math.abs(s.min - 1) < 0.01);
  assert.ok(Math.abs(s.max - 1000) < 1);
  assert.ok(Math.abs(s.percentiles.p50 - 500) < 1);
  assert.ok(Math.abs(s.percentiles.p99 - 990) < 1);
  assert.ok(Math.abs(s.mean - 500.5) < 1);
});

Deno.test("deltas taken in one histogram and added to another merge exactly", () => {
  const worker = new LatencyHistogram();
  const collector = new LatencyHistogram();
  for (let i = 0; i < 100; i++) worker.recordMs(2);
  collector.addDelta(worker.takeDelta()!);
  assert.equal(worker.count, 0, "takeDelta resets");
  assert.equal(worker.takeDelta(), null, "nothing recorded, no delta");
  for (let i = 0; i < 100; i++) worker.recordMs(200);
  collector.addDelta(worker.takeDelta()!);
  assert.equal(collector.count, 200);
  assert.ok(Math.abs(collector.percentileMs(25) - 2) < 0.01);
  assert.ok(Math.abs(collector.percentileMs(75) - 200) < 0.2);
});

Deno.test("the linear histogram buckets count every value once", () => {
  const h = new LatencyHistogram();
  for (let i = 0; i < 90; i++) h.recordMs(1);
  for (let i = 0; i < 10; i++) h.recordMs(100);
  const s = h.summary(11);
  assert.equal(s.histogram.length, 11);
  assert.equal(s.histogram.reduce((n, b) => n + b.count, 0), 100);
  assert.equal(s.histogram[0].count, 90);
  assert.equal(s.histogram[10].count, 10);
  assert.ok(Math.abs(s.histogram[10].le - s.max) < 1e-9);
});

Deno.test("an empty histogram summarises to zeros", () => {
  const s = new LatencyHistogram().summary();
  assert.equal(s.count, 0);
  assert.deepEqual(s.histogram, []);
});

Deno.test("sub-microsecond and huge values are clamped, not thrown", () => {
  const h = new LatencyHistogram();
  h.recordMs(0);
  h.recordMs(10 * 3_600_000);
  assert.equal(h.count, 2);
});
