import assert from "node:assert/strict";
import {
  allRequestsComplete,
  defineScenario,
  hang,
  hello,
  noStallLongerThan,
  perServer,
  runScenario,
} from "../../mod.ts";
import type { ProgressSample } from "../../run/run_scenario.ts";
import { RecentRate } from "../../run/recent_rate.ts";

Deno.test("the live rate averages the last second while completions arrive", () => {
  const rate = new RecentRate();
  // 1000 completions a second, read every 250 ms.
  for (let t = 250; t <= 2000; t += 250) assert.equal(rate.observe(t, t), 1000);
  // Batches: nothing in one reading, twice as many in the next: still the average.
  assert.equal(rate.observe(2250, 2000), (2000 - 1250) * 1000 / 1000);
  assert.ok(rate.observe(2500, 2500) > 0);
});

Deno.test("the live rate is 0 once no completion arrived for 600 ms, not a second later", () => {
  const rate = new RecentRate();
  for (let t = 100; t <= 1000; t += 100) rate.observe(t, t * 10);
  assert.ok(rate.observe(1500, 10_000) > 0, "500 ms without a completion: still batching");
  assert.equal(rate.observe(1600, 10_000), 0);
  assert.equal(rate.observe(1700, 10_000), 0);
  // Progress again: the rate comes back at once.
  assert.ok(rate.observe(1800, 10_500) > 0);
});

Deno.test("a stalled run's progress shows a live rate of 0 within 600 ms of its last completion", async () => {
  const samples: ProgressSample[] = [];
  const report = await runScenario(
    defineScenario({
      name: "rate-stall",
      description: "server 1 of 2 never answers: the clients' lanes fill with held requests",
      timeLimit: "30s",
      servers: [{ count: 2, behavior: perServer((i) => (i === 1 ? hang() : hello())) }],
      clients: [{ count: 1, concurrency: 4, requests: 100_000 }],
      assert: [noStallLongerThan("2s"), allRequestsComplete()],
    }),
    { seed: 1, progressIntervalMs: 50, onProgress: (s) => samples.push(s) },
  );
  assert.equal(report.outcome, "stalled");
  const last = samples.at(-1)!.completed;
  const firstAtLast = samples.find((s) => s.completed === last)!;
  const after = samples.filter((s) => s.completed === last && s.elapsedMs >= firstAtLast.elapsedMs);
  assert.ok(after.length > 20, `${after.length} samples after progress stopped`);
  const stale = after.filter((s) => s.elapsedMs - firstAtLast.elapsedMs >= 600);
  assert.ok(stale.length > 10);
  assert.deepEqual(
    stale.filter((s) => s.recentRps !== 0).map((s) => [Math.round(s.elapsedMs), s.recentRps]),
    [],
  );
});
