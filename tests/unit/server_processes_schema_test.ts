// Validation and planning of command fleets, isolated fleets, leak behaviours and memory
// assertions: every mistake is named with its field path before anything starts.
import assert from "node:assert/strict";
import { defineScenario, hello, leak, rssDeltaBelow } from "../../mod.ts";
import { planRun } from "../../plan/plan.ts";
import { resolveScenario } from "../../scenario/resolve.ts";
import { scenarioIssues } from "../_scenario_issues.ts";

Deno.test("a command fleet must take wedge's port, a ready check it knows, and HTTP/1.1", () => {
  assert.deepEqual(scenarioIssues({ servers: [{ command: ["./server", "--port", "8080"] }] }), [
    'servers[0].command: wedge picks each server\'s port: put "{port}" in an argument (["./server", "--port", "{port}"]) or an env value (env: { PORT: "{port}" })',
  ]);
  const issues = scenarioIssues({
    servers: [{
      command: ["./server"],
      env: { PORT: "{port}" },
      ready: { tcp: 1 },
      protocol: "h2",
    }],
  });
  assert.equal(issues.length, 2, issues.join("\n"));
  assert.match(issues[0], /^servers\[0\]\.ready: expected \{ port: true \}/);
  assert.match(issues[1], /^servers\[0\]\.protocol: a command fleet is loaded over HTTP\/1\.1/);
  assert.match(scenarioIssues({ servers: [{ command: [] }] })[0], /^servers\[0\]\.command: /);
});

Deno.test("a command fleet resolves to one process per server, on a port each", () => {
  const scenario = resolveScenario(defineScenario({
    name: "own",
    description: "d",
    servers: [{
      name: "app",
      count: 2,
      command: ["./server", "--port", "{port}"],
      ready: { url: "http://127.0.0.1:{port}/health" },
      readyTimeout: "3s",
    }],
    clients: [{ requests: 1 }],
  }));
  const plan = planRun(scenario, { seed: 1 });
  assert.deepEqual(plan.servers.map((s) => s.placement), ["command", "command"]);
  const behavior = plan.servers[0].behavior;
  assert.equal(behavior.kind, "command");
  if (behavior.kind !== "command") return;
  assert.deepEqual(behavior.ready, { kind: "url", url: "http://127.0.0.1:{port}/health" });
  assert.equal(behavior.readyTimeoutMs, 3000);
  assert.equal(behavior.stopTimeoutMs, 5000);
});

Deno.test("a memory assertion isolates what it measures and repeats the load", () => {
  const scenario = resolveScenario(defineScenario({
    name: "mem",
    description: "d",
    servers: [{ name: "a", behavior: hello() }, { name: "b", behavior: leak("4KiB") }],
    clients: [{ target: "b", count: 2, requests: 100 }],
    assert: [rssDeltaBelow("2MiB", { of: "b", warmup: 2, iterations: 4, settle: "300ms" })],
  }));
  assert.deepEqual(scenario.servers.map((s) => s.isolate), [false, true]);
  assert.deepEqual(scenario.rounds, { warmup: 2, iterations: 4, settleMs: 300 });
  assert.deepEqual(scenario.servers[1].behaviors[0], {
    kind: "leak",
    bytesPerRequest: 4096,
    then: { kind: "hello", status: 200, body: "Hello, World!", headers: {} },
  });
  const plan = planRun(scenario, { seed: 1 });
  assert.deepEqual(plan.servers.map((s) => s.placement), ["runtime", "host"]);
  assert.equal(plan.rounds, 6);
  assert.equal(plan.planned, 600); // every round sends the fleet's 100 requests
  assert.deepEqual(plan.clients.map((c) => c.requests), [50, 50]);
});

Deno.test("a memory assertion must name something that runs, and cannot be kept in-process", () => {
  assert.deepEqual(
    scenarioIssues({
      servers: [{ name: "a" }],
      assert: [rssDeltaBelow("2MiB", { of: "nope" })],
    }),
    ['assert[0]: it measures the memory of "nope", which is none of "servers", "runtime", "a"'],
  );
  assert.deepEqual(
    scenarioIssues({ servers: [{ name: "a", isolate: false }], assert: [rssDeltaBelow("1MiB")] }),
    [
      "servers[0].isolate: an assertion measures this fleet's memory, which needs a process of its own: drop isolate: false",
    ],
  );
  // A server given by its URL has no process wedge knows: said so, not "drop isolate: false".
  assert.deepEqual(
    scenarioIssues({
      servers: [{ name: "ext", url: "http://127.0.0.1:8080/" }],
      assert: [rssDeltaBelow("1MiB", { of: "ext" })],
    }),
    [
      "servers[0].url: an assertion measures this fleet's memory, but a server given by its URL runs outside wedge, which does not know its process: start it as a command fleet (command: [...]) to measure it",
    ],
  );
  assert.match(
    scenarioIssues({ servers: [{ behavior: leak("lots") }] })[0],
    /^servers\[0\]\.behavior\.bytesPerRequest: expected a size of at least 1 byte/,
  );
  assert.throws(() => rssDeltaBelow("1MiB", { iterations: 0 }), RangeError);
  assert.throws(() => rssDeltaBelow("1MiB", { warmup: -1 }), RangeError);
});
