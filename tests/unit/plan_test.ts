import assert from "node:assert/strict";
import { defineScenario, hello } from "../../mod.ts";
import { planRun, splitFairly } from "../../plan/plan.ts";
import { resolveScenario } from "../../scenario/resolve.ts";

Deno.test("splitFairly gives shares that differ by at most one and sum to the total", () => {
  assert.deepEqual(splitFairly(10, 3), [4, 3, 3]);
  assert.deepEqual(splitFairly(2, 4), [1, 1, 0, 0]);
  const shares = splitFairly(1_000_000, 40);
  assert.equal(shares.reduce((a, b) => a + b, 0), 1_000_000);
  assert.ok(Math.max(...shares) - Math.min(...shares) <= 1);
});

const scenario = resolveScenario(defineScenario({
  name: "plan",
  description: "d",
  servers: [{ name: "a", count: 3, behavior: hello() }, { name: "b", count: 2 }],
  clients: [
    { name: "x", count: 5, concurrency: 4, requests: 103, target: "b" },
    { name: "y", count: 1, concurrency: 2, duration: "1s", workers: 1 },
  ],
}));

Deno.test("servers are numbered across fleets and targets resolve to server ids", () => {
  const plan = planRun(scenario, { seed: 1, cores: 2 });
  assert.deepEqual(plan.servers.map((s) => `${s.fleet}[${s.index}]#${s.id}`), [
    "a[0]#0",
    "a[1]#1",
    "a[2]#2",
    "b[0]#3",
    "b[1]#4",
  ]);
  assert.deepEqual(plan.clients[0].targets, [3, 4]);
  assert.deepEqual(plan.clients[5].targets, [0, 1, 2, 3, 4], "no target means every server");
});

Deno.test("a fleet's requests are split over its clients; duration mode has no plan count", () => {
  const plan = planRun(scenario, { seed: 1, cores: 2 });
  assert.deepEqual(plan.clients.slice(0, 5).map((c) => c.requests), [21, 21, 21, 20, 20]);
  assert.equal(plan.clients[5].requests, null);
  assert.equal(plan.clients[5].durationMs, 1000);
  assert.equal(plan.planned, null);
  assert.equal(plan.concurrency, 5 * 4 + 2);
});

Deno.test("clients spread over about one worker per core, and workers never run two fleets", () => {
  const plan = planRun(scenario, { seed: 1, cores: 2 });
  assert.deepEqual(plan.workers.map((w) => [w.fleet, w.clients]), [
    ["x", [0, 2, 4]],
    ["x", [1, 3]],
    ["y", [5]],
  ]);
  assert.deepEqual(plan.clients.map((c) => c.worker), [0, 1, 0, 1, 0, 2]);
  const one = planRun(scenario, { seed: 1, cores: 1 });
  assert.equal(one.workers.filter((w) => w.fleet === "x").length, 1);
  const many = planRun(scenario, { seed: 1, cores: 64 });
  assert.equal(many.workers.filter((w) => w.fleet === "x").length, 5, "never more than clients");
});

Deno.test("the same seed plans the same per-component seeds", () => {
  const a = planRun(scenario, { seed: 42, cores: 2 });
  const b = planRun(scenario, { seed: 42, cores: 2 });
  const c = planRun(scenario, { seed: 43, cores: 2 });
  assert.deepEqual(a.clients.map((x) => x.seed), b.clients.map((x) => x.seed));
  assert.notDeepEqual(a.clients.map((x) => x.seed), c.clients.map((x) => x.seed));
});

Deno.test("the worker budget is run-wide: several fleets share the cores, at least one worker each", () => {
  const three = resolveScenario(defineScenario({
    name: "three",
    description: "d",
    servers: [{}],
    clients: [{ name: "a", count: 4, requests: 4 }, { name: "b", count: 4, requests: 4 }, {
      name: "c",
      count: 1,
      requests: 1,
    }],
  }));
  const plan = planRun(three, { seed: 1, cores: 2 });
  assert.deepEqual(plan.workers.map((w) => w.fleet), ["a", "b", "c"]);
  const wide = planRun(three, { seed: 1, cores: 9 });
  assert.deepEqual(wide.workers.map((w) => w.fleet), ["a", "a", "a", "a", "b", "b", "b", "b", "c"]);
});

Deno.test("the plan gives each client its fleet's resolved pool as it is, and only plans", () => {
  const perRequest = resolveScenario(defineScenario({
    name: "pool",
    description: "d",
    servers: [{}],
    clients: [{ count: 2, requests: 4, connections: "per-request" }],
  }));
  const plan = planRun(perRequest, { seed: 1, cores: 1 });
  assert.deepEqual(plan.clients.map((c) => c.pool), [
    perRequest.clients[0].pool,
    perRequest.clients[0].pool,
  ]);
  assert.equal(plan.clients[0].pool.maxIdlePerHost, 0);
});

Deno.test("requests in flight at most count each client's pipelining", () => {
  const pipelined = resolveScenario(defineScenario({
    name: "pipelined",
    description: "d",
    servers: [{ behavior: hello() }],
    clients: [
      { concurrency: 4, requests: 40, engine: "raw", pipelining: 4 },
      { concurrency: 2, requests: 10 },
    ],
  }));
  assert.equal(planRun(pipelined, { seed: 1, cores: 2 }).concurrency, 4 * 4 + 2);
});
