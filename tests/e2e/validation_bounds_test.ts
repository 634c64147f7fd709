import assert from "node:assert/strict";
import { defineScenario, hello, ScenarioError } from "../../mod.ts";
import { planRun } from "../../plan/plan.ts";
import { checkHostLimits, type HostLimits } from "../../plan/host_limits.ts";
import { resolveScenario } from "../../scenario/resolve.ts";
import { runCli } from "../_cli.ts";

const HOST: HostLimits = { ephemeralPorts: [32768, 60999], openFilesLimit: 20000 };

function issuesOf(
  parts: { servers?: unknown; clients?: unknown; network?: unknown },
  limits = HOST,
) {
  try {
    const scenario = resolveScenario(
      defineScenario({
        name: "bounds",
        description: "sizes and URLs at their bounds",
        servers: (parts.servers ?? [{ behavior: hello() }]) as never,
        clients: (parts.clients ?? [{ requests: 10 }]) as never,
        ...(parts.network ? { network: parts.network as never } : {}),
      }),
    );
    checkHostLimits(scenario, limits);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${error}`);
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

Deno.test("concurrency and client counts have an upper bound, named with the value", () => {
  assert.deepEqual(issuesOf({ clients: [{ requests: 20, concurrency: 1e7 }] }), [
    "clients[0].concurrency: expected at most 100000 requests in flight per client (each holds a connection or stream and ~100 KiB), got 10000000",
  ]);
  assert.deepEqual(issuesOf({ clients: [{ requests: 20, concurrency: 100_000 }] }), []);
  assert.deepEqual(issuesOf({ clients: [{ requests: 20, count: 100_001 }] }), [
    "clients[0].count: expected at most 100000 clients per fleet (each has its own HTTP client), got 100001",
  ]);
});

Deno.test("a client never gets more lanes than its requests", () => {
  const scenario = resolveScenario(
    defineScenario({
      name: "lanes",
      description: "more concurrency than requests",
      servers: [{ behavior: hello() }],
      clients: [{ count: 3, requests: 20, concurrency: 100_000 }, {
        duration: "1s",
        concurrency: 50,
      }],
    }),
  );
  checkHostLimits(scenario, HOST);
  const plan = planRun(scenario, { seed: 1 });
  assert.deepEqual(plan.clients.map((c) => [c.requests, c.concurrency]), [
    [7, 7],
    [7, 7],
    [6, 6],
    [null, 50], // duration mode: no request count to cap at
  ]);
  assert.equal(plan.concurrency, 70);
});

Deno.test("servers that need more ports than the ephemeral range has are refused, naming the range", () => {
  assert.deepEqual(issuesOf({ servers: [{ count: 1e6, behavior: hello() }] }), [
    "servers[0].count: expected at most 65535 servers: each listens on a port of its own (and this host's ephemeral port range has fewer), got 1000000",
  ]);
  assert.deepEqual(
    issuesOf({ servers: [{ count: 10, behavior: hello() }, { count: 28_230, behavior: hello() }] }),
    [
      "servers[1].count: 28240 servers need 28240 listening ports; the ephemeral port range 32768-60999 (net.ipv4.ip_local_port_range) has 28232",
    ],
  );
  // Exactly the range fits (as far as ports go); the fd limit here is large enough.
  const roomy = { ephemeralPorts: [32768, 60999] as [number, number], openFilesLimit: 1_000_000 };
  assert.deepEqual(issuesOf({ servers: [{ count: 28_232, behavior: hello() }] }, roomy), []);
  // A scenario's own range wins over the host's.
  assert.deepEqual(
    issuesOf({
      servers: [{ count: 200, behavior: hello() }],
      network: { ephemeralPorts: "40000-40099" },
    }),
    [
      "servers[0].count: 200 servers need 200 listening ports; the scenario's network.ephemeralPorts 40000-40099 has 100",
    ],
  );
});

Deno.test("servers that need more file descriptors than the limit are refused, naming the limit", () => {
  const low = { ephemeralPorts: [32768, 60999] as [number, number], openFilesLimit: 512 };
  assert.deepEqual(issuesOf({ servers: [{ count: 449, behavior: hello() }] }, low), [
    "servers[0].count: the runtime would hold 449 file descriptors for its servers alone (listeners, and pipes of server processes); the open-file limit is 512 (ulimit -n), 64 kept spare",
  ]);
  assert.deepEqual(issuesOf({ servers: [{ count: 448, behavior: hello() }] }, low), []);
  assert.deepEqual(
    issuesOf({ servers: [{ count: 449, isolate: true, behavior: hello() }] }, low),
    [
      "servers[0].count: 449 servers in one server host need 449 file descriptors; the open-file limit is 512 (ulimit -n), 64 kept spare",
    ],
  );
  // Unknown limits refuse nothing.
  assert.deepEqual(
    issuesOf({ servers: [{ count: 449, behavior: hello() }] }, {
      ephemeralPorts: null,
      openFilesLimit: null,
    }),
    [],
  );
});

Deno.test("a URL that matches the pattern but does not parse is refused", () => {
  assert.deepEqual(issuesOf({ servers: [{ url: "http://127.0.0.1:99999/" }] }), [
    'servers[0].url: expected a URL that parses: a port at most 65535 and address parts at most 255, got "http://127.0.0.1:99999/"',
  ]);
  assert.deepEqual(issuesOf({ servers: [{ url: "http://127.0.0.300/" }] }).length, 1);
  assert.deepEqual(issuesOf({ servers: [{ url: "http://127.0.0.1:8080/" }] }), []);
  // The other loopback forms the pattern names (both were refused as "address parts above 255").
  assert.deepEqual(issuesOf({ servers: [{ url: "http://[::1]:8080/" }] }), []);
  assert.deepEqual(issuesOf({ servers: [{ url: "http://localhost:8080/" }] }), []);
  assert.deepEqual(issuesOf({ servers: [{ url: "http://[::1]:99999/" }] }).length, 1);
  // A ready URL whose port cannot exist (the union of ready forms reports it as a whole).
  const ready = issuesOf({
    servers: [{
      command: ["node", "s.js", "{port}"],
      ready: { url: "http://127.0.0.1:{port}0000000/" },
    }],
  });
  assert.equal(ready.length, 1);
  assert.match(ready[0], /^servers\[0\]\.ready: /);
  assert.deepEqual(
    issuesOf({
      servers: [{
        command: ["node", "s.js", "{port}"],
        ready: { url: "http://127.0.0.1:{port}/health" },
      }],
    }),
    [],
  );
  assert.deepEqual(
    issuesOf({ clients: [{ requests: 1, sourceAddresses: ["127.0.0.2", "127.0.999.1"] }] }),
    [
      'clients[0].sourceAddresses[1]: expected each part of the address at most 255, got "127.0.999.1"',
    ],
  );
});

Deno.test("the CLI refuses an unbounded concurrency before anything starts: exit 2, field and bound", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/huge.ts`;
    await Deno.writeTextFile(
      file,
      `import { defineScenario, hello } from "${new URL("../../mod.ts", import.meta.url).href}";
export default defineScenario({
  name: "huge",
  description: "ten million lanes for 20 requests",
  servers: [{ behavior: hello() }],
  clients: [{ concurrency: 1e7, requests: 20 }],
});
`,
    );
    const r = await runCli([file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /clients\[0\]\.concurrency: expected at most 100000 requests in flight/);
    assert.doesNotMatch(r.stdout + r.stderr, /load started/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the CLI refuses more servers than the host has ports before anything starts: exit 2, field and range", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/ports.ts`;
    await Deno.writeTextFile(
      file,
      `import { defineScenario, hello } from "${new URL("../../mod.ts", import.meta.url).href}";
export default defineScenario({
  name: "ports",
  description: "more servers than any ephemeral port range",
  servers: [{ count: 65535, behavior: hello() }],
  clients: [{ requests: 1 }],
});
`,
    );
    const r = await runCli([file, "--quiet"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /servers\[0\]\.count: 65535 servers need 65535 listening ports; /);
    assert.doesNotMatch(r.stdout + r.stderr, /load started|starting/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
