import assert from "node:assert/strict";
import {
  appendTimelinePoint,
  halveTimeline,
  MAX_TIMELINE_POINTS,
  mergeTimelinePoints,
} from "../../report/timeline_downsample.ts";
import type { TimelinePoint } from "../../report/types.ts";

/** A sample at `atMs` whose counts follow the time (cumulative grows, levels flat). */
function sampleAt(atMs: number, overrides: Partial<TimelinePoint> = {}): TimelinePoint {
  return {
    atMs,
    completed: atMs * 10,
    inFlight: 100,
    errors: Math.floor(atMs / 1000),
    openStreams: null,
    timeWait: 50,
    established: 200,
    sockets: { client: { ESTABLISHED: 100, TIME_WAIT: 50 }, server: { ESTABLISHED: 100 } },
    openFds: 300,
    rssBytes: 64e6,
    listenDrops: 0,
    fdLimit: 20000,
    processOpenFds: [300, 40],
    processRssBytes: [64e6, 30e6],
    acceptQueue: 0,
    streamsByServer: null,
    errorsByClass: { timeout: Math.floor(atMs / 1000) },
    ...overrides,
  };
}

/** Feeds samples every `stepMs` (with a deterministic jitter) for `runMs`; returns the timeline. */
function simulate(
  runMs: number,
  options: { stepMs?: number; jitterMs?: number; spikeAt?: number } = {},
): { points: TimelinePoint[]; resolutionMs: number; samples: number } {
  const { stepMs = 250, jitterMs = 0, spikeAt = -1 } = options;
  const points: TimelinePoint[] = [];
  let resolutionMs = stepMs;
  let samples = 0;
  for (let i = 0; i * stepMs < runMs; i++) {
    const atMs = i * stepMs + ((i * 7919) % (2 * jitterMs + 1)) - jitterMs;
    const spike = i === spikeAt
      ? {
        openFds: 19_990,
        processOpenFds: [19_990, 41],
        sockets: { client: { ESTABLISHED: 100, TIME_WAIT: 28_000 }, server: { CLOSE_WAIT: 7 } },
      }
      : {};
    resolutionMs = appendTimelinePoint(points, sampleAt(Math.max(0, atMs), spike), {
      resolutionMs,
    });
    samples++;
  }
  return { points, resolutionMs, samples };
}

Deno.test("a 10-minute run sampled 4 times a second keeps at most 2,000 evenly spaced points", () => {
  const { points, resolutionMs, samples } = simulate(10 * 60_000, { jitterMs: 12 });
  assert.equal(samples, 2400);
  assert.ok(points.length <= MAX_TIMELINE_POINTS, `${points.length} points`);
  assert.ok(points.length >= MAX_TIMELINE_POINTS / 2, `${points.length} points`);
  assert.equal(resolutionMs, 500);
  const gaps = points.slice(1).map((p, i) => p.atMs - points[i].atMs);
  assert.ok(gaps.every((g) => g > 0 && g <= 2 * resolutionMs), `gaps ${Math.max(...gaps)}`);
  // Evenly spaced: nearly every gap is the resolution (give or take the jitter).
  const off = gaps.filter((g) => Math.abs(g - resolutionMs) > 30);
  assert.ok(off.length <= 2, `${off.length} uneven gaps, e.g. ${off.slice(0, 5)}`);
});

Deno.test("an hour-long run still keeps at most 2,000 points, spanning the whole run", () => {
  const { points, resolutionMs } = simulate(60 * 60_000);
  assert.ok(points.length <= MAX_TIMELINE_POINTS && points.length >= MAX_TIMELINE_POINTS / 2);
  assert.equal(resolutionMs, 2000);
  assert.ok(points[0].atMs <= 2000);
  assert.equal(points.at(-1)!.atMs, 60 * 60_000 - 250);
  assert.ok(JSON.stringify(points).length < 2.5e6, "the JSON stays small");
});

Deno.test("downsampling keeps a one-sample peak of a level and the last value of a count", () => {
  const { points } = simulate(10 * 60_000, { spikeAt: 1000 });
  const peak = points.filter((p) => p.openFds === 19_990);
  assert.equal(peak.length, 1, "the fd spike survives in exactly one point");
  assert.deepEqual(peak[0].processOpenFds, [19_990, 41]);
  assert.equal(peak[0].sockets!.client.TIME_WAIT, 28_000);
  assert.equal(peak[0].sockets!.server.CLOSE_WAIT, 7);
  assert.equal(peak[0].sockets!.server.ESTABLISHED, 100, "a state from the other sample stays");
  const last = points.at(-1)!;
  assert.equal(last.completed, last.atMs * 10);
  assert.deepEqual(last.errorsByClass, { timeout: Math.floor(last.atMs / 1000) });
  assert.ok(points.every((p, i) => i === 0 || p.completed >= points[i - 1].completed));
});

Deno.test("merging two points: peaks of levels, the later's counts, known beats unknown", () => {
  const merged = mergeTimelinePoints(
    sampleAt(250, { inFlight: 900, rssBytes: null, processRssBytes: [null, 5], acceptQueue: 12 }),
    sampleAt(500, { inFlight: 3, rssBytes: 7, processRssBytes: [9, null], acceptQueue: null }),
  );
  assert.equal(merged.atMs, 500);
  assert.equal(merged.completed, 5000);
  assert.equal(merged.inFlight, 900);
  assert.equal(merged.rssBytes, 7);
  assert.deepEqual(merged.processRssBytes, [9, 5]);
  assert.equal(merged.acceptQueue, 12);
  const unknown = mergeTimelinePoints(
    sampleAt(0, { openFds: null }),
    sampleAt(250, { openFds: null }),
  );
  assert.equal(unknown.openFds, null, "unknown stays unknown, never 0");
});

Deno.test("HTTP/2 streams per server merge server by server", () => {
  const merged = mergeTimelinePoints(
    sampleAt(250, { streamsByServer: [200, null, 3] }),
    sampleAt(500, { streamsByServer: [10, null, 150] }),
  );
  assert.deepEqual(merged.streamsByServer, [200, null, 150]);
});

Deno.test("halving an odd timeline keeps its last point as it is", () => {
  const halved = halveTimeline([sampleAt(250), sampleAt(500), sampleAt(750)]);
  assert.deepEqual(halved.map((p) => p.atMs), [500, 750]);
});

Deno.test("a cap below 2 is refused", () => {
  assert.throws(
    () => appendTimelinePoint([], sampleAt(0), { resolutionMs: 250, maxPoints: 1 }),
    RangeError,
  );
});
