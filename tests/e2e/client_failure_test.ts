// A client worker that fails: its failure reaches the runtime as an incident (onFailure), the
// fleet neither hangs nor waits out its timeouts, and the other workers' load is unaffected.
// The worker's own code is wedge's (no user code runs in a client worker), so the failures are
// made by handing real workers a plan that is broken on purpose.
import assert from "node:assert/strict";
import { defineScenario } from "../../mod.ts";
import { startClientFleet } from "../../clients/fleet.ts";
import { planRun, type RunPlan } from "../../plan/plan.ts";
import { resolveScenario } from "../../scenario/resolve.ts";
import type { WorkerSnapshot } from "../../clients/protocol.ts";

/** A plan of 2 clients of 40 requests each, on 2 workers (one client each), to one server. */
function twoWorkerPlan(): RunPlan {
  const plan = planRun(
    resolveScenario(defineScenario({
      name: "two-workers",
      description: "d",
      servers: [{}],
      clients: [{ count: 2, concurrency: 2, requests: 80 }],
    })),
    { seed: 1, cores: 2 },
  );
  assert.deepEqual(plan.workers.map((w) => w.clients), [[0], [1]]);
  return plan;
}

/** Awaits `promise`; past `ms`, stops the fleet (so no worker is left) and fails. */
async function within(
  ms: number,
  promise: Promise<void>,
  fleet: { stop(): Promise<unknown> },
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
  const result = await Promise.race([promise.then(() => "done" as const), late]);
  clearTimeout(timer);
  if (result === "late") {
    await fleet.stop();
    assert.fail(`not finished within ${ms}ms`);
  }
}

function helloServer(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("hello"),
  );
}

Deno.test("a worker whose round throws reports a failure, counts as finished, and the other worker completes", async () => {
  const server = helloServer();
  try {
    const plan = twoWorkerPlan();
    // Worker 1's client has no pool settings: making its HTTP client throws inside the worker.
    plan.clients[1] = { ...plan.clients[1], pool: null as never };
    const failures: { worker: number; message: string }[] = [];
    const finals = new Map<number, WorkerSnapshot>();
    const fleet = await startClientFleet(plan, {
      urls: [`http://127.0.0.1:${server.addr.port}/`],
      snapshotIntervalMs: 50,
      onSnapshot: (s) => {
        if (s.final) finals.set(s.workerId, s);
      },
      onFailure: (worker, message) => failures.push({ worker, message }),
    });
    // The failed worker must not hold the round: both resolve, well within 20 s.
    await within(20_000, fleet.start().then(() => fleet.finished), fleet);
    assert.equal(failures.length, 1, JSON.stringify(failures));
    assert.equal(failures[0].worker, 1);
    assert.match(failures[0].message, /TypeError/);
    assert.deepEqual([...finals.keys()].sort(), [0, 1], "both posted a final snapshot");
    assert.deepEqual(finals.get(0)!.clients.map((c) => [c.sent, c.ok]), [[40, 40]]);
    assert.deepEqual(finals.get(1)!.clients.map((c) => c.sent), [0], "the failed one sent none");
    assert.deepEqual(await fleet.stop(), { unresponsive: [] });
  } finally {
    await server.shutdown();
  }
});

Deno.test("a worker that fails while it starts names itself and fails the fleet at once, not at the ready timeout", async () => {
  const plan = twoWorkerPlan();
  // Worker 1 is handed a client that does not exist: its init throws inside the worker.
  plan.workers[1] = { ...plan.workers[1], clients: [7] };
  const failures: { worker: number; message: string }[] = [];
  const t0 = performance.now();
  await assert.rejects(
    () =>
      startClientFleet(plan, {
        urls: ["http://127.0.0.1:9/"],
        readyTimeoutMs: 30_000,
        onSnapshot: () => {},
        onFailure: (worker, message) => failures.push({ worker, message }),
      }),
    (error: Error) => {
      assert.match(error.message, /^client worker 1 failed to start: .*TypeError/s);
      return true;
    },
  );
  const elapsed = performance.now() - t0;
  assert.ok(elapsed < 15_000, `failed after ${elapsed}ms: it waited for the ready timeout`);
  assert.deepEqual(failures.map((f) => f.worker), [1], "the failure names worker 1, not -1");
});
