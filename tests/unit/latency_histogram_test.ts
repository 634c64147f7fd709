import assert from "node:assert/strict";
import { LatencyHistogram } from "../../report/latency_histogram.ts";
import * as hdr from "hdr-histogram-js";

Deno.test("percentiles of a uniform 1..1000ms sample are within HDR precision", () => {
  const h = new LatencyHistogram();
  for (let ms = 1; ms <= 1000; ms++) h.recordMs(ms);
  const s = h.summary();
  assert.equal(s.count, 1000);
  assert.ok(Math.abs(s.min! - 1) < 0.01);
  assert.ok(Math.abs(s.max! - 1000) < 1);
  assert.ok(Math.abs(s.percentiles.p50! - 500) < 1);
  assert.ok(Math.abs(s.percentiles.p99! - 990) < 1);
  assert.ok(Math.abs(s.mean! - 500.5) < 1);
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
  assert.ok(Math.abs(collector.percentileMs(25)! - 2) < 0.01);
  assert.ok(Math.abs(collector.percentileMs(75)! - 200) < 0.2);
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
  assert.ok(Math.abs(s.histogram[10].le - s.max!) < 1e-9);
});

Deno.test("an empty histogram summarises to unknowns: every figure null, not 0 ms", () => {
  const s = new LatencyHistogram().summary();
  assert.equal(s.count, 0);
  assert.deepEqual([s.min, s.mean, s.max, s.stdev], [null, null, null, null]);
  assert.deepEqual(Object.values(s.percentiles), [null, null, null, null, null, null]);
  assert.equal(new LatencyHistogram().percentileMs(99), null);
  assert.deepEqual(s.histogram, []);
});

Deno.test("sub-microsecond and huge values are clamped, not thrown", () => {
  const h = new LatencyHistogram();
  h.recordMs(0);
  h.recordMs(10 * 3_600_000);
  assert.equal(h.count, 2);
});

Deno.test("values counted before they reach hdr end as if each was recorded at once", () => {
  // Under 4096 us values are counted in an array first; over it, recorded at once: both paths,
  // in a shuffled order, read between records, must match plain hdr records.
  const plain = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  const h = new LatencyHistogram();
  for (const us of [1, 4095, 4096, 4097]) {
    h.recordMs(us / 1000);
    plain.recordValue(us);
  }
  let seed = 7;
  for (let i = 0; i < 20_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const us = 1 + (seed % (i % 3 === 0 ? 100_000 : 5_000));
    h.recordMs(us / 1000);
    plain.recordValue(us);
    if (i % 4999 === 0) assert.equal(h.count, plain.totalCount);
  }
  assert.equal(h.encode(), hdr.encodeIntoCompressedBase64(plain));
  assert.equal(h.percentileMs(99), plain.getValueAtPercentile(99) / 1000);
  const delta = h.takeDelta()!;
  const merged = new LatencyHistogram();
  merged.recordMs(0.5);
  merged.addDelta(delta);
  assert.equal(merged.count, plain.totalCount + 1);
  assert.equal(h.count, 0);
});
