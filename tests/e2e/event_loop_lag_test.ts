import assert from "node:assert/strict";
import { runScenario } from "../../mod.ts";
import { LagTracker, startLagMonitor } from "../../system/event_loop_lag.ts";
import { renderTextReport } from "../../report/text.ts";
import blocking from "../fixtures/blocking_handler.ts";

const file = new URL("../fixtures/blocking_handler.ts", import.meta.url).pathname;

Deno.test("a tick's lateness is the block: its start, its length, and the time blocked in a span", () => {
  const lag = new LagTracker(0, { intervalMs: 50, blockMs: 200 });
  for (let t = 50; t <= 500; t += 50) assert.equal(lag.tick(t), 0);
  assert.equal(lag.tick(560), 10); // a little late: not a block
  assert.equal(lag.tick(2610), 2000); // due at 610
  assert.deepEqual(lag.blocks(), [{ fromMs: 610, lagMs: 2000 }]);
  assert.deepEqual(lag.reading().max, { fromMs: 610, lagMs: 2000 });
  assert.equal(lag.blockedWithin(0, 5000), 2000);
  assert.equal(lag.blockedWithin(1610, 5000), 1000);
  assert.equal(lag.blockedWithin(0, 610), 0);
});

Deno.test("the lag monitor measures a real block of the calling thread", async () => {
  const monitor = startLagMonitor({ intervalMs: 20 });
  try {
    await new Promise((resolve) => setTimeout(resolve, 60));
    const until = performance.now() + 400;
    while (performance.now() < until) { /* block */ }
    const deadline = performance.now() + 5000;
    while (monitor.tracker.reading().max!.lagMs < 350 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const max = monitor.tracker.reading().max!;
    assert.ok(max.lagMs >= 350 && max.lagMs < 3000, `lag ${max.lagMs}ms`);
  } finally {
    monitor.stop();
  }
});

Deno.test("a handler that blocks the runtime's main thread is named, not a client worker", async () => {
  const report = await runScenario(blocking, { seed: 1, file });
  assert.equal(report.outcome, "stalled");
  const main = report.eventLoops.find((e) => e.thread === "runtime main thread")!;
  assert.ok(main.maxLagMs! >= 2800 && main.maxLagMs! < 8000, `lag ${main.maxLagMs}ms`);
  assert.ok(main.maxLagAtMs! >= 0 && main.maxLagAtMs! <= report.stall!.detectedAtMs);
  const d = report.stall!;
  assert.equal(d.blockedThreads[0].thread, "runtime main thread");
  assert.ok(d.blockedThreads[0].blockedMs >= 2800, `${d.blockedThreads[0].blockedMs}ms`);
  assert.match(
    d.hints[0],
    /^the runtime's main thread was blocked for 2\.\d+s|^the runtime's main thread was blocked for [3-7]\.\d+s/,
  );
  assert.deepEqual(d.silentWorkers, []);
  const text = renderTextReport(report);
  assert.doesNotMatch(text, /client worker \d+ has posted nothing/);
  assert.match(
    text,
    /Blocked loop: runtime main thread blocked for \d\.\d+s \(from [\d.]+m?s into the load\)/,
  );
});

Deno.test("a handler that blocks a server host is named, with the host still blocked", async () => {
  const report = await runScenario(blocking, {
    seed: 1,
    file,
    set: { isolate: true, blockMs: 4000 },
  });
  assert.equal(report.outcome, "stalled");
  const d = report.stall!;
  assert.equal(d.blockedThreads.length, 1, JSON.stringify(d.blockedThreads));
  const [host] = d.blockedThreads;
  assert.equal(host.thread, "servers (host)");
  assert.equal(host.ongoing, true);
  assert.ok(host.blockedMs >= 1000, `${host.blockedMs}ms`);
  assert.match(
    d.hints[0],
    /^servers \(host\)'s event loop has been blocked for .* still blocked\): its servers answered nothing/,
  );
  assert.deepEqual(d.silentWorkers, []);
  const entry = report.eventLoops.find((e) => e.thread === "servers (host)")!;
  assert.ok(entry.maxLagMs! >= host.blockedMs, JSON.stringify(entry));
  const main = report.eventLoops.find((e) => e.thread === "runtime main thread")!;
  assert.ok(main.maxLagMs! < 1000, `the runtime was not blocked: ${main.maxLagMs}ms`);
  assert.match(renderTextReport(report), /Blocked loop: servers \(host\) blocked for/);
});
