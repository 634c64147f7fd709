/**
 * Benchmark: recording one latency sample in wedge's histogram
 * ({@linkcode LatencyHistogram.recordMs}), the per-response cost every engine pays. Each iteration
 * records 10,000 precomputed, varied latencies (70 us to ~2 s, mostly sub-millisecond, like a
 * hello load with a tail), so ns per sample = time/iter ÷ 10,000. Target: under 1 us per sample.
 *
 *   deno bench bench/record_bench.ts
 *
 * @module
 */

import { LatencyHistogram } from "../report/latency_histogram.ts";

const SAMPLES = 10_000;

// A fixed xorshift32 stream, so every run records the same values.
let state = 0x9e3779b9;
function next(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 0x1_0000_0000;
}
// Log-uniform over [0.07 ms, 2000 ms] for 1 in 10, the rest log-uniform over [0.07 ms, 2 ms].
const values = new Float64Array(SAMPLES);
for (let i = 0; i < SAMPLES; i++) {
  const top = next() < 0.1 ? 2000 : 2;
  values[i] = 0.07 * Math.pow(top / 0.07, next());
}

const histogram = new LatencyHistogram();

Deno.bench({
  name: `recordMs x ${SAMPLES} (ns per sample = time/iter ÷ ${SAMPLES})`,
  fn() {
    for (let i = 0; i < SAMPLES; i++) histogram.recordMs(values[i]);
  },
});
