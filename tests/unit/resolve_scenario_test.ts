import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  allRequestsComplete,
  defineScenario,
  delay,
  handler,
  hello,
  ScenarioError,
  z,
} from "../../mod.ts";
import { isResolvedScenario, resolveScenario } from "../../scenario/resolve.ts";
import { runScenario } from "../../run/run_scenario.ts";
import type { ClientFleetInput, ServerFleetInput } from "../../mod.ts";

function scenarioWith(parts: { servers?: unknown; clients?: unknown; assert?: unknown }) {
  return defineScenario({
    name: "broken",
    description: "for schema tests",
    servers: (parts.servers ?? [{ behavior: hello() }]) as ServerFleetInput[],
    clients: (parts.clients ?? [{ requests: 10 }]) as ClientFleetInput[],
    assert: (parts.assert ?? []) as never[],
  });
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `expected ScenarioError, got ${error}`);
    return error.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  }
  assert.fail("expected a ScenarioError");
}

Deno.test("a negative concurrency is reported with its field path and value", () => {
  const issues = issuesOf(() =>
    resolveScenario(scenarioWith({ clients: [{ requests: 10, concurrency: -3 }] }))
  );
  assert.deepEqual(issues, ["clients[0].concurrency: expected a positive integer, got -3"]);
});

Deno.test("every problem is reported at once, not only the first", () => {
  const issues = issuesOf(() =>
    resolveScenario(scenarioWith({
      servers: [{ count: 0 }],
      clients: [{ requests: 10, concurrency: 1.5, timeout: "soon" }],
    }))
  );
  assert.equal(issues.length, 3, issues.join("\n"));
  assert.ok(issues.includes("servers[0].count: expected a positive integer, got 0"));
  assert.ok(issues.includes("clients[0].concurrency: expected a positive integer, got 1.5"));
  assert.ok(issues.some((i) => i.startsWith("clients[0].timeout: expected a duration")));
});

Deno.test("the error message names the scenario and its file and says what to do", () => {
  try {
    resolveScenario(scenarioWith({ clients: [{ requests: 10, concurrency: -3 }] }), {
      file: "scenarios/broken.ts",
    });
    assert.fail("expected an error");
  } catch (error) {
    assert.ok(error instanceof ScenarioError);
    assert.equal(error.file, "scenarios/broken.ts");
    assert.match(error.message, /^Invalid scenario "broken" \(scenarios\/broken\.ts\): 1 problem/);
    assert.match(error.message, /Fix the field in the scenario file/);
  }
});

Deno.test("a misspelt field is an unknown field, not silently ignored", () => {
  const issues = issuesOf(() =>
    resolveScenario(scenarioWith({ clients: [{ requests: 10, concurency: 4 }] }))
  );
  assert.deepEqual(issues, [
    'clients[0].concurency: unknown field "concurency" (did you mean "concurrency"?)',
  ]);
});

Deno.test("requests and duration: exactly one of them", () => {
  assert.deepEqual(issuesOf(() => resolveScenario(scenarioWith({ clients: [{}] }))), [
    'clients[0]: give either "requests" (a total) or "duration" (e.g. "10s")',
  ]);
  assert.deepEqual(
    issuesOf(() => resolveScenario(scenarioWith({ clients: [{ requests: 5, duration: "1s" }] }))),
    ['clients[0]: give either "requests" or "duration", not both'],
  );
});

Deno.test("a target must name an existing server fleet", () => {
  const issues = issuesOf(() =>
    resolveScenario(scenarioWith({
      servers: [{ name: "api", behavior: hello() }],
      clients: [{ requests: 5, target: "apj" }],
    }))
  );
  assert.deepEqual(issues, ['clients[0].target: no server fleet named "apj"; fleets are: api']);
});

Deno.test("one target check for wedge's and command client fleets: each named once, in order", () => {
  const issues = issuesOf(() =>
    resolveScenario(scenarioWith({
      servers: [{ name: "api", behavior: hello() }],
      clients: [{ command: ["./c"], target: "apx" }, { requests: 5, target: "apj" }],
    }))
  );
  assert.deepEqual(issues, [
    'clients[0].target: no server fleet named "apx"; fleets are: api',
    'clients[1].target: no server fleet named "apj"; fleets are: api',
  ]);
});

Deno.test("duplicate fleet names are rejected", () => {
  const issues = issuesOf(() =>
    resolveScenario(scenarioWith({ servers: [{ name: "a" }, { name: "a" }] }))
  );
  assert.deepEqual(issues, [
    'servers[1].name: duplicate fleet name "a"; give each fleet its own name',
  ]);
});

Deno.test("a bad delay latency and an inverted range are reported inside the behaviour", () => {
  const bad = issuesOf(() =>
    resolveScenario(scenarioWith({ servers: [{ behavior: delay("fast") }] }))
  );
  assert.equal(bad.length, 1);
  assert.match(bad[0], /^servers\[0\]\.behavior\.latency: /);
  const inverted = issuesOf(() =>
    resolveScenario(scenarioWith({ servers: [{ behavior: delay({ min: "20ms", max: "5ms" }) }] }))
  );
  assert.deepEqual(inverted, [
    "servers[0].behavior.latency: expected min <= max, got min 20ms and max 5ms",
  ]);
});

Deno.test("something that is not a behaviour or not an assertion is named as such", () => {
  const issues = issuesOf(() =>
    resolveScenario(scenarioWith({ servers: [{ behavior: 42 }], assert: ["fast"] }))
  );
  assert.equal(issues.length, 2, issues.join("\n"));
  assert.match(issues[0], /^servers\[0\]\.behavior: expected a behaviour such as hello\(\)/);
  assert.match(issues[1], /^assert\[0\]: expected an assertion such as allRequestsComplete\(\)/);
});

Deno.test("shortcuts are expanded: defaults, timeout strings, handler functions and Hono apps", () => {
  const app = new Hono().get("/", (c) => c.text("hono"));
  const scenario = resolveScenario(defineScenario({
    name: "shortcuts",
    description: "d",
    servers: [
      { behavior: (_req: Request) => new Response("fn") },
      { behavior: app },
      { behavior: handler(app), count: 2 },
      {},
    ],
    clients: [{ requests: 7, timeout: "2s" }, {
      duration: "1s",
      timeout: { after: 250, cancel: false },
    }],
    assert: [allRequestsComplete()],
  }));
  assert.deepEqual(scenario.servers.map((s) => [s.name, s.behaviors[0].kind, s.count]), [
    ["servers", "handler", 1],
    ["servers-2", "handler", 1],
    ["servers-3", "handler", 2],
    ["servers-4", "hello", 1],
  ]);
  const [a, b] = scenario.clients;
  assert.deepEqual(
    {
      concurrency: a.concurrency,
      requests: a.requests,
      durationMs: a.durationMs,
      timeout: a.timeout,
      request: a.request,
      select: a.select,
    },
    {
      concurrency: 1,
      requests: 7,
      durationMs: null,
      timeout: { afterMs: 2000, cancel: true },
      request: { method: "GET", path: "/", headers: {} },
      select: "round-robin",
    },
  );
  assert.deepEqual(b.timeout, { afterMs: 250, cancel: false });
  assert.equal(b.durationMs, 1000);
  assert.equal(scenario.timeLimitMs, 600_000);
});

Deno.test("params flow into fleets and assertions, and --set strings are coerced", () => {
  const def = defineScenario({
    name: "params",
    description: "d",
    params: z.object({ n: z.number().int().min(1).default(4), label: z.string().default("x") }),
    servers: (p) => [{ count: p.n }],
    clients: (p) => [{ requests: p.n * 10, request: { path: `/${p.label}` } }],
  });
  const defaults = resolveScenario(def);
  assert.equal(defaults.servers[0].count, 4);
  assert.deepEqual(defaults.params, { n: 4, label: "x" });
  const overridden = resolveScenario(def, { set: { n: "7", label: "y" } });
  assert.equal(overridden.servers[0].count, 7);
  assert.equal(overridden.clients[0].requests, 70);
  assert.equal(overridden.clients[0].request.path, "/y");
});

Deno.test("a bad --set value names the param, what it accepts and its default", () => {
  const def = defineScenario({
    name: "params",
    description: "d",
    params: z.object({ nclients: z.number().int().min(1).default(40) }),
    servers: [{}],
    clients: (p) => [{ count: p.nclients, requests: 10 }],
  });
  assert.deepEqual(issuesOf(() => resolveScenario(def, { set: { nclients: "many" } })), [
    'params.nclients: cannot use "many": accepts integer >= 1 (default 40)',
  ]);
  assert.deepEqual(issuesOf(() => resolveScenario(def, { set: { nclients: "0" } })), [
    'params.nclients: cannot use "0": accepts integer >= 1 (default 40)',
  ]);
  assert.deepEqual(issuesOf(() => resolveScenario(def, { set: { nclient: "3" } })), [
    'params.nclient: unknown param (set with "3") (did you mean "nclients"?); this scenario\'s params are: nclients',
  ]);
});

Deno.test("a params function that throws is reported at its field", () => {
  const def = defineScenario({
    name: "throws",
    description: "d",
    servers: () => {
      throw new Error("boom");
    },
    clients: [{ requests: 1 }],
  });
  assert.deepEqual(issuesOf(() => resolveScenario(def)), [
    "servers: the function of params threw: boom",
  ]);
});

Deno.test("name and description are required and checked", () => {
  const issues = issuesOf(() =>
    resolveScenario({ name: "Bad Name", description: "", servers: [], clients: [] } as never)
  );
  assert.deepEqual(issues, [
    'name: expected a kebab-case name such as "hang-mre", got "Bad Name"',
    'description: expected a one-line description, got ""',
  ]);
});

Deno.test("every shortcut is expanded by resolving: per-request keeps no idle connection, rates become one schedule", () => {
  const scenario = resolveScenario(scenarioWith({
    clients: [
      { requests: 10, connections: "per-request", pool: { idleTimeout: "1s" } },
      { duration: "2s", rate: "50/s" },
      { stages: [{ duration: "1s", rate: 10 }, { duration: "3s", rate: "1/ms" }] },
    ],
  }));
  const [perRequest, constant, staged] = scenario.clients;
  assert.deepEqual(perRequest.pool, { maxIdlePerHost: 0, idleTimeoutMs: 1000 });
  assert.deepEqual(constant.arrival, {
    startRatePerSecond: 50,
    stages: [{ durationMs: 2000, ratePerSecond: 50 }],
  });
  assert.equal(staged.durationMs, 4000, "stages set how long the fleet runs");
  assert.deepEqual(staged.arrival?.stages.map((s) => s.ratePerSecond), [10, 1000]);
  assert.deepEqual(scenario.clients.map((c) => c.name), ["clients", "clients-2", "clients-3"]);
});

Deno.test("a resolved scenario is known as such, with the overrides it was resolved with", () => {
  const definition = defineScenario({
    name: "once",
    description: "d",
    params: z.object({ n: z.coerce.number().default(1) }),
    servers: [{}],
    clients: (p) => [{ requests: p.n }],
  });
  const scenario = resolveScenario(definition, { set: { n: "3" } });
  assert.equal(isResolvedScenario(scenario), true);
  assert.equal(isResolvedScenario(definition), false);
  assert.equal(isResolvedScenario({ ...scenario }), false, "a copy was not validated");
  assert.deepEqual(scenario.set, { n: "3" }, "as given, for a server host to resolve again");
  assert.equal(scenario.params.n, 3);
});

Deno.test("runScenario takes a resolved scenario as it is, and refuses set or file beside it", async () => {
  const scenario = resolveScenario(scenarioWith({}));
  await assert.rejects(
    () => runScenario(scenario, { set: { n: "2" } }),
    TypeError,
    'cannot apply set or file to scenario "broken": it is already resolved',
  );
  await assert.rejects(() => runScenario(scenario, { file: "x.ts" }), TypeError);
});
