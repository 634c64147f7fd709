import assert from "node:assert/strict";
import type { RunPlan } from "../../plan/plan.ts";
import { RunCollector } from "../../run/collector.ts";
import { LoadClock } from "../../run/load_clock.ts";
import { startTimeline } from "../../run/timeline.ts";

/** A snapshot from worker `workerId` with `inFlight` requests in flight. */
function snapshot(workerId: number, inFlight: number) {
  return {
    type: "snapshot" as const,
    workerId,
    final: false,
    roundsDone: 0,
    clients: [{
      id: workerId,
      sent: 10 + inFlight,
      completed: 10,
      ok: 10,
      errors: 0,
      abandoned: 0,
      late: 0,
      lateBusy: 0,
      dropped: 0,
      retried: 0,
      bodyBytes: 0,
    }],
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

Deno.test("a timeline point's in-flight count is unknown while a running worker is silent", () => {
  const plan = {
    servers: [],
    clients: [{ id: 0 }, { id: 1 }],
    workers: [{ id: 0 }, { id: 1 }],
    planned: 100,
  } as unknown as RunPlan;
  const collector = new RunCollector(plan);
  const clock = new LoadClock();
  let now = 0;
  clock.elapsedMs = () => now;
  collector.apply(snapshot(0, 3), 0);
  collector.apply(snapshot(1, 4), 0);
  const timeline = startTimeline(collector, plan, { clock, counters: [], intervalMs: 60_000 });
  try {
    now = 300;
    timeline.sample();
    assert.equal(collector.timeline.at(-1)?.inFlight, 7, "both workers posted 300 ms ago");
    now = 1600;
    collector.apply(snapshot(0, 3), now); // worker 1 has said nothing for 1.6 s
    timeline.sample();
    assert.equal(collector.timeline.at(-1)?.inFlight, null, "worker 1's count is stale");
    collector.apply(snapshot(1, 1), now);
    now = 1900;
    timeline.sample();
    assert.equal(collector.timeline.at(-1)?.inFlight, 4, "both posting again");
  } finally {
    timeline.stop();
  }
});
