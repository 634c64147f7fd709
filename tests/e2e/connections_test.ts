import assert from "node:assert/strict";
import { scenarioIssues } from "../_scenario_issues.ts";
import { runCli } from "../_cli.ts";
import {
  defineScenario,
  fdsBelow,
  hello,
  noConnectErrors,
  runScenario,
  serial,
  timeWaitBelow,
  UsageError,
} from "../../mod.ts";
import type { ClientFleetInput } from "../../mod.ts";
import {
  namespaceCommand,
  namespaceUnavailable,
  NO_NAMESPACE_ENV,
} from "../../run/network_namespace.ts";
import { reportFixture } from "../_report_fixture.ts";
import type { NetworkSpec } from "../../scenario/schema.ts";

async function seen(client: ClientFleetInput) {
  const ports = new Set<number>();
  const hosts = new Set<string>();
  const report = await runScenario(defineScenario({
    name: "conns",
    description: "count connections server-side",
    servers: [{
      behavior: (_req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => {
        ports.add(info.remoteAddr.port);
        hosts.add(info.remoteAddr.hostname);
        return new Response("ok");
      },
    }],
    clients: [client],
  }));
  return { ports: ports.size, hosts: [...hosts].sort(), report };
}

Deno.test("per-request opens one connection per request; keep-alive reuses them", async () => {
  const perRequest = await seen({ concurrency: 2, requests: 30, connections: "per-request" });
  assert.equal(perRequest.ports, 30);
  const keepAlive = await seen({ concurrency: 2, requests: 30, connections: "keep-alive" });
  assert.ok(keepAlive.ports <= 2, `${keepAlive.ports} connections for 2 in flight`);
});

Deno.test("source addresses rotate over the clients", async () => {
  const { hosts } = await seen({
    count: 3,
    requests: 30,
    sourceAddresses: ["127.0.0.2", "127.0.0.3"],
  });
  assert.deepEqual(hosts, ["127.0.0.2", "127.0.0.3"]);
});

Deno.test("per-request churn shows in the socket census; keep-alive has no TIME_WAIT", async () => {
  const churn = await runScenario(defineScenario({
    name: "churn",
    description: "d",
    servers: [{ behavior: hello() }],
    clients: [{ concurrency: 2, requests: 200, connections: "per-request" }],
    assert: [timeWaitBelow(50)],
  }));
  if (Deno.build.os !== "linux") return;
  assert.ok(churn.sockets!.atEnd.timeWait >= 150, JSON.stringify(churn.sockets));
  assert.equal(churn.passed, false);
  const reuse = await runScenario(defineScenario({
    name: "reuse",
    description: "d",
    servers: [{ behavior: hello() }],
    clients: [{ concurrency: 2, duration: "1500ms" }],
    // Sockets already on the server's port before the load (another program's, the churn run's
    // TIME_WAIT if the kernel gave its port again) are not counted: at most the run's own 2
    // connections, closed as its clients finish; per-request would leave one per request.
    assert: [timeWaitBelow(3), noConnectErrors(), fdsBelow(10_000)],
  }));
  assert.equal(reuse.passed, true, JSON.stringify(reuse.assertions));
  assert.ok(reuse.totals.completed >= 200, `only ${reuse.totals.completed} requests: bound moot`);
  assert.ok(reuse.sockets!.peakEstablished! >= 2, "the keep-alive connections were seen");
});

Deno.test("a serial server answers every connection in turn", async () => {
  const report = await runScenario(defineScenario({
    name: "serial",
    description: "d",
    servers: [{ behavior: serial() }],
    clients: [{ concurrency: 4, requests: 20, connections: "per-request" }],
  }));
  assert.equal(report.totals.ok, 20);
  assert.equal(report.servers[0].received, 20);
  assert.equal(report.servers[0].behavior, "one connection at a time, hello 200");
});

Deno.test("connection settings are validated: conflicts, loopback-only sources, port ranges", () => {
  const issues = (clients: unknown[], extra = {}) => scenarioIssues({ clients, ...extra });
  assert.deepEqual(
    issues([{ requests: 1, connections: "per-request", pool: { maxIdlePerHost: 4 } }]),
    [
      'clients[0].connections: "per-request" conflicts with pool.maxIdlePerHost (per-request keeps no idle connection): drop one of them, got "per-request"',
    ],
  );
  assert.deepEqual(issues([{ requests: 1, sourceAddresses: ["10.0.0.1"] }]), [
    'clients[0].sourceAddresses[0]: expected an IPv4 loopback address (127.x.y.z; the servers listen on 127.0.0.1), got "10.0.0.1"',
  ]);
  assert.deepEqual(issues([{ requests: 1 }], { network: { ephemeralPorts: "70000-80000" } }), [
    'network.ephemeralPorts: expected a range within 1024-65535, low before high, got "70000-80000"',
  ]);
});

Deno.test("timeWaitBelow, noConnectErrors and fdsBelow judge the report", () => {
  const report = reportFixture();
  assert.deepEqual(timeWaitBelow(20).check(report), {
    pass: true,
    measured: "peak 12 in TIME_WAIT",
  });
  assert.equal(timeWaitBelow(12).check(report).pass, false);
  assert.deepEqual(timeWaitBelow(5).check({ ...report, sockets: null }), {
    pass: false,
    measured: "not measured",
    detail: "no socket census (/proc/net/tcp)",
  });
  assert.deepEqual(noConnectErrors().check(report), {
    pass: false,
    measured: "10 connection errors",
    detail: "10 connection_refused",
  });
  assert.deepEqual(noConnectErrors().check({ ...report, errors: [] }), {
    pass: true,
    measured: "none",
  });
  assert.deepEqual(fdsBelow(100).check(report), { pass: true, measured: "peak 40 (limit 20000)" });
  assert.equal(fdsBelow(40).check(report).pass, false);
});

Deno.test("a scenario with a network namespace needs the CLI", async () => {
  await assert.rejects(
    () =>
      runScenario(defineScenario({
        name: "netns",
        description: "d",
        network: { ephemeralPorts: "50000-50019" },
        servers: [{}],
        clients: [{ requests: 1 }],
      })),
    (error: Error) => error instanceof UsageError && /run it with the CLI/.test(error.message),
  );
});

Deno.test("the namespace command sets the port range and TIME_WAIT reuse before running", () => {
  const argv = namespaceCommand({ ephemeralPorts: [50000, 50019], tcpTwReuse: 0 }, ["deno", "x"]);
  assert.deepEqual(argv.slice(0, 5), ["unshare", "--net", "--", "sh", "-c"]);
  assert.equal(
    argv[5],
    'set -e; ip link set lo up; echo "50000 50019" > /proc/sys/net/ipv4/ip_local_port_range; echo 0 > /proc/sys/net/ipv4/tcp_tw_reuse; exec "$@"',
  );
  assert.deepEqual(argv.slice(6), ["wedge-netns", "deno", "x"]);
});

const unavailable = await namespaceUnavailable({ ephemeralPorts: [50000, 50019], tcpTwReuse: 0 });

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

Deno.test({
  name: `in a namespace with 20 ports, per-request load hits the wall fast; keep-alive does not${
    unavailable ? ` (skipped: ${unavailable})` : ""
  }`,
  ignore: unavailable !== null,
  async fn() {
    const wall = await cli([
      "port-exhaustion",
      "--set",
      "ports=50000-50019",
      "--set",
      "nrequests=100",
      "--quiet",
    ]);
    assert.equal(wall.code, 1, wall.stdout + wall.stderr);
    assert.match(
      wall.stdout,
      /Host \(the run's own network namespace\): ephemeral ports 50000-50019 \(20\), tcp_tw_reuse 0/,
    );
    assert.match(
      wall.stdout,
      /address_unavailable: .*Cannot assign requested address \(os error 99\)/,
    );
    const ok = Number(/; (\d+) ok,/.exec(wall.stdout)?.[1]);
    assert.ok(ok >= 15 && ok <= 20, `${ok} requests before the wall`);
    assert.match(
      wall.stdout,
      /PASS TIME_WAIT sockets below 100: peak \d+ in TIME_WAIT/,
      "20 ports cannot make 100",
    );
    const flat = await cli([
      "port-exhaustion",
      "--set",
      "ports=50000-50019",
      "--set",
      "nrequests=100",
      "--set",
      "connections=keep-alive",
      "--quiet",
    ]);
    assert.equal(flat.code, 0, flat.stdout + flat.stderr);
    // Closing the pool at the end may leave up to one socket per connection (8) in TIME_WAIT.
    const peak = Number(
      /PASS TIME_WAIT sockets below 100: peak (\d+) in TIME_WAIT/.exec(flat.stdout)?.[1],
    );
    assert.ok(peak <= 8, `peak TIME_WAIT ${peak} with keep-alive`);
  },
});

// Where a namespace can be made, WEDGE_NO_NETNS forces the other path, so both run as root.
Deno.test("where no namespace can be made, the CLI says why and exits 2 before starting anything", async () => {
  const r = await cli(["port-exhaustion", "--quiet"], { [NO_NAMESPACE_ENV]: "1" });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /runs in a network namespace of its own .* cannot be made here/);
  assert.match(r.stderr, /WEDGE_NO_NETNS is set/);
  assert.doesNotMatch(r.stderr, /entering a network namespace/);
  assert.equal(r.stdout, "", "no run, no report");
});

Deno.test("WEDGE_NO_NETNS makes namespaceUnavailable give a reason; unset or 0 leaves the real check", async () => {
  const network: NetworkSpec = { ephemeralPorts: [50000, 50019], tcpTwReuse: 0 };
  const saved = Deno.env.get(NO_NAMESPACE_ENV);
  try {
    Deno.env.set(NO_NAMESPACE_ENV, "1");
    assert.match((await namespaceUnavailable(network))!, /^WEDGE_NO_NETNS is set/);
    Deno.env.set(NO_NAMESPACE_ENV, "0");
    assert.equal(await namespaceUnavailable(network), unavailable);
    Deno.env.delete(NO_NAMESPACE_ENV);
    assert.equal(await namespaceUnavailable(network), unavailable);
  } finally {
    if (saved === undefined) Deno.env.delete(NO_NAMESPACE_ENV);
    else Deno.env.set(NO_NAMESPACE_ENV, saved);
  }
});

Deno.test({
  name: "a process re-run for a namespace but not in one refuses to run and never re-runs again",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const own = Deno.readLinkSync("/proc/self/ns/net");
    const t0 = performance.now();
    const r = await cli(["port-exhaustion", "--quiet"], { WEDGE_NETNS: own });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /shares its parent's network namespace; not running it/);
    assert.ok(performance.now() - t0 < 20_000);
  },
});
