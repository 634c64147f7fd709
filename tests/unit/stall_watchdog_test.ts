import assert from "node:assert/strict";
import { StallWatchdog } from "../../report/stall_watchdog.ts";

Deno.test("no stall while requests keep completing", () => {
  const w = new StallWatchdog({ boundMs: 1000 });
  for (let t = 0; t <= 10_000; t += 100) {
    assert.equal(w.observe({ atMs: t, completed: t, owed: true }), false);
  }
  assert.equal(w.longest, null);
  assert.equal(w.current, null);
});

Deno.test("a stall trips at the bound, measured from the last completion", () => {
  const w = new StallWatchdog({ boundMs: 5000 });
  w.observe({ atMs: 0, completed: 0, owed: true });
  w.observe({ atMs: 1200, completed: 50, owed: true });
  assert.equal(w.observe({ atMs: 6100, completed: 50, owed: true }), false);
  assert.deepEqual(w.current, { fromMs: 1200, durationMs: 4900 });
  assert.equal(w.observe({ atMs: 6200, completed: 50, owed: true }), true);
  assert.deepEqual(w.longest, { fromMs: 1200, durationMs: 5000 });
});

Deno.test("nothing owed is idle, not a stall", () => {
  const w = new StallWatchdog({ boundMs: 1000 });
  w.observe({ atMs: 0, completed: 10, owed: false });
  assert.equal(w.observe({ atMs: 5000, completed: 10, owed: false }), false);
  assert.equal(w.longest, null);
});

Deno.test("progress ends a stall; the longest one is kept", () => {
  const w = new StallWatchdog({ boundMs: null });
  w.observe({ atMs: 0, completed: 1, owed: true });
  w.observe({ atMs: 3000, completed: 1, owed: true });
  w.observe({ atMs: 3100, completed: 2, owed: true });
  assert.equal(w.current, null);
  w.observe({ atMs: 4100, completed: 2, owed: true });
  assert.deepEqual(w.longest, { fromMs: 0, durationMs: 3000 });
  assert.equal(
    w.observe({ atMs: 60_000, completed: 2, owed: true }),
    false,
    "null bound never trips",
  );
});

Deno.test("gaps shorter than the resolution are not stalls (snapshots arrive in batches)", () => {
  const w = new StallWatchdog({ boundMs: 1000, resolutionMs: 350 });
  w.observe({ atMs: 0, completed: 0, owed: true });
  w.observe({ atMs: 300, completed: 0, owed: true });
  w.observe({ atMs: 350, completed: 100, owed: true });
  assert.equal(w.longest, null);
  w.observe({ atMs: 800, completed: 100, owed: true });
  assert.deepEqual(w.longest, { fromMs: 350, durationMs: 450 });
});
