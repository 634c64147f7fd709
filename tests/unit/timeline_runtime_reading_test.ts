import assert from "node:assert/strict";
import type { RunPlan } from "../../plan/plan.ts";
import { RunCollector } from "../../run/collector.ts";
import { LoadClock } from "../../run/load_clock.ts";
import { startTimeline, type TimelineOptions } from "../../run/timeline.ts";
import { sampleProcess } from "../../system/process_probe.ts";

const plan = { servers: [], clients: [], workers: [], planned: 0 } as unknown as RunPlan;

/** A sampler that read the runtime `ageMs` ago, with figures no real read gives. */
function sampler(ageMs: number, rssBytes: number | null): NonNullable<TimelineOptions["sampler"]> {
  return {
    processes: [{ name: "runtime", role: "runtime", pid: Deno.pid, fleet: null }],
    timeline: [{ atMs: 0, rssBytes: [rssBytes] }],
    openFds: [7_777_777],
    fdLimits: [null],
    rssBytes: [rssBytes],
    sampledAt: performance.now() - ageMs,
    // Long, so a fresh reading stays fresh however slowly a loaded machine runs this test.
    intervalMs: 60_000,
  };
}

function firstPoint(options: Pick<TimelineOptions, "sampler">) {
  const collector = new RunCollector(plan);
  const timeline = startTimeline(collector, plan, {
    clock: new LoadClock(),
    counters: [],
    intervalMs: 60_000,
    ...options,
  });
  timeline.stop();
  return collector.timeline[0];
}

Deno.test("a timeline point takes the runtime's fds and RSS from the sampler's fresh reading", () => {
  const point = firstPoint({ sampler: sampler(0, 123_456_789) });
  assert.equal(point.openFds, 7_777_777);
  assert.equal(point.rssBytes, 123_456_789);
});

Deno.test("a timeline point reads the runtime itself when the sampler's reading is stale or unknown", () => {
  if (Deno.build.os !== "linux") return;
  for (const stale of [sampler(200_000, 123_456_789), sampler(10, null)]) {
    const point = firstPoint({ sampler: stale });
    assert.notEqual(point.openFds, 7_777_777);
    assert.ok(point.openFds! >= 3 && point.openFds! <= sampleProcess("self").openFds! + 5);
    assert.notEqual(point.rssBytes, 123_456_789);
    assert.ok(point.rssBytes! > 1 << 20);
  }
  assert.ok(firstPoint({}).rssBytes! > 1 << 20, "no sampler: its own read");
});
