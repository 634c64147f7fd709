// The collector's silent-worker logic against a worker thread that is really blocked (a busy
// loop), not a simulated clock: the blocked worker, and only it, is named, for about as long as
// it was blocked; a failed or finished worker is not silent.
import assert from "node:assert/strict";
import { RunCollector } from "../../run/collector.ts";
import type { RunPlan } from "../../plan/plan.ts";
import type { WorkerSnapshot } from "../../clients/protocol.ts";

const WORKER = new URL("../fixtures/blocking_worker.ts", import.meta.url).href;

function waitFor(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (condition()) resolve();
      else if (performance.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

Deno.test("a worker blocked in a busy loop is named silent, for as long as it was blocked, and only it", async () => {
  const collector = new RunCollector({ servers: [], clients: [] } as unknown as RunPlan);
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const heard = new Map<number, number>();
  const finals = new Set<number>();
  const blocking = new Set<number>();
  const workers = [0, 1].map((id) => {
    const worker = new Worker(WORKER, { type: "module", name: `blocking-${id}` });
    worker.onmessage = (event: MessageEvent<WorkerSnapshot | { type: "blocking" }>) => {
      if (event.data.type === "blocking") return void blocking.add(id);
      collector.apply(event.data, now());
      heard.set(id, (heard.get(id) ?? 0) + 1);
      if (event.data.final) finals.add(id);
    };
    worker.postMessage({ type: "start", workerId: id, intervalMs: 50 });
    return worker;
  });
  const ids = [0, 1];
  const silent = (failed?: Set<number>) =>
    collector.silentWorkers(now(), { thresholdMs: 500, workerIds: ids, failed });
  try {
    await waitFor(() => (heard.get(0) ?? 0) >= 2 && (heard.get(1) ?? 0) >= 2, 20_000, "snapshots");
    assert.deepEqual(silent(), [], "both are posting");

    workers[1].postMessage({ type: "block", ms: 2000 });
    // Every snapshot worker 1 posted before its block has arrived once it says it is blocking.
    await waitFor(() => blocking.has(1), 20_000, "worker 1 to start its block");
    const heardBefore = heard.get(1)!;
    const blockedAt = now();
    // While it is blocked, worker 1 (never worker 0) becomes silent; watch until it posts again.
    let longest = 0;
    await waitFor(
      () => {
        const s = silent();
        assert.ok(s.every((w) => w.worker === 1), `worker 0 named silent: ${JSON.stringify(s)}`);
        longest = Math.max(longest, s[0]?.silentForMs ?? 0);
        return heard.get(1)! > heardBefore;
      },
      20_000,
      "worker 1 to post again",
    );
    const blockedFor = now() - blockedAt;
    assert.ok(blockedFor >= 1900, `worker 1 posted again after ${blockedFor}ms of a 2 s block`);
    // Seen silent for most of the block (the main thread polls every 20 ms; it was not blocked).
    assert.ok(longest >= 1500, `longest silence seen ${longest}ms`);
    assert.ok(longest <= blockedFor + 100, `silence ${longest}ms longer than the block`);
    assert.deepEqual(silent(), [], "posting again ends the silence");

    // A worker known to have failed is not "silent", and neither is one that finished.
    workers[1].postMessage({ type: "block", ms: 800 });
    await waitFor(() => silent().length === 1, 20_000, "worker 1 to be silent again");
    assert.deepEqual(silent(new Set([1])), []);
    workers[0].postMessage({ type: "stop" });
    await waitFor(() => finals.has(0), 20_000, "worker 0's final snapshot");
    await new Promise((r) => setTimeout(r, 600));
    assert.deepEqual(
      silent(new Set([1])),
      [],
      "a finished worker posts nothing, and is not silent",
    );
  } finally {
    for (const worker of workers) worker.terminate();
  }
});
