import assert from "node:assert/strict";
import { runCli } from "../_cli.ts";
import {
  allRequestsComplete,
  defineScenario,
  hang,
  hello,
  noStallLongerThan,
  perServer,
  runScenario,
} from "../../mod.ts";

// Sanitizers are on: after a stalled run no worker, server, socket or timer may be left.

const hangingFleet = (bound: string, options: { timeout?: string; requests?: number } = {}) =>
  defineScenario({
    name: "stall",
    description: "server 1 of 3 never answers every 3rd request",
    timeLimit: "60s",
    servers: [{
      count: 3,
      behavior: perServer((i) => (i === 1 ? hang({ every: 3 }) : hello())),
    }],
    clients: [{
      count: 2,
      concurrency: 4,
      requests: options.requests ?? 20_000,
      ...(options.timeout ? { timeout: options.timeout } : {}),
    }],
    assert: [noStallLongerThan(bound), allRequestsComplete()],
  });

Deno.test("a stall is detected at the bound (not before, at most a few seconds after) and the diagnosis names the hanging server", async () => {
  const t0 = performance.now();
  const report = await runScenario(hangingFleet("1s"), { seed: 3 });
  const elapsed = performance.now() - t0;
  assert.equal(report.outcome, "stalled");
  const d = report.stall!;
  const latency = d.detectedAtMs - d.progressStoppedAtMs;
  // Never before the bound; after it, by a tick that a loaded machine may delay: 3 s of slack.
  assert.ok(latency >= 1000 && latency <= 4000, `detected ${latency}ms after progress stopped`);
  assert.equal(d.inFlight, 8);
  assert.deepEqual(d.servers.map((s) => [s.server, s.clientInFlight]), [["servers[1]", 8]]);
  assert.equal(d.hints[0], "every request in flight (8) waits on servers[1]");
  assert.match(d.hints[1], /^servers\[1\] received 8 requests it never answered/);
  assert.ok(d.oldest.length > 0 && d.oldest.every((r) => r.server === "servers[1]"));
  assert.ok(d.oldest.every((r) => r.phase === "awaiting-headers" && r.ageMs >= 1000));
  const [stall, complete] = report.assertions;
  assert.equal(stall.pass, false);
  assert.match(stall.measured, /^stalled from .* into the load, 8 requests in flight$/);
  assert.equal(complete.pass, false);
  const held = report.servers[1];
  assert.equal(held.received! - held.responded!, 8, "the report shows the run, not the teardown");
  assert.ok(
    elapsed < d.progressStoppedAtMs + 1000 + 20_000,
    `the run ended ${elapsed}ms after start: stopping is bounded`,
  );
});

Deno.test("a healthy fleet under the same watchdog has no false positive", async () => {
  const report = await runScenario(defineScenario({
    name: "healthy",
    description: "healthy",
    servers: [{ count: 3, behavior: hello() }],
    clients: [{ count: 2, concurrency: 4, duration: "2s" }],
    assert: [noStallLongerThan("1s")],
  }));
  assert.equal(report.outcome, "completed");
  assert.equal(report.stall, null);
  assert.equal(report.passed, true);
});

Deno.test("timeouts that cancel free the stuck requests and the run completes", async () => {
  const report = await runScenario(hangingFleet("2s", { timeout: "500ms", requests: 300 }), {
    seed: 3,
  });
  assert.equal(report.outcome, "completed");
  assert.equal(report.stall, null);
  assert.equal(report.assertions[0].pass, true, report.assertions[0].measured);
  assert.ok(report.errors.length > 0 && report.errors.every((e) => e.class === "timeout"));
  // Server 1 gets 100 of the 300 requests and hangs every 3rd: 33 timeouts.
  assert.equal(report.totals.errors, 33);
  assert.equal(report.totals.completed, 300);
});

Deno.test("a user handler that never answers does not keep the run (or its servers) alive", async () => {
  const t0 = performance.now();
  const report = await runScenario(defineScenario({
    name: "never",
    description: "a handler that never answers",
    timeLimit: "500ms",
    servers: [{ behavior: () => new Promise<Response>(() => {}) }],
    clients: [{ concurrency: 2, requests: 4 }],
  }));
  assert.equal(report.outcome, "time-limit");
  assert.deepEqual(report.incidents, []);
  assert.ok(report.durationMs >= 450, `stopped after ${report.durationMs}ms`);
  assert.ok(performance.now() - t0 < 15_000, "stopping did not wait for the handler");
});

const cli = (args: string[]) => runCli(args);

Deno.test("hang-server stalls on purpose: the CLI prints the diagnosis live and in the report, exits 1", async () => {
  const t0 = performance.now();
  const r = await cli(["hang-server", "--set", "stallBound=1s", "--set", "nrequests=20000"]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.ok(performance.now() - t0 < 40_000);
  assert.match(r.stderr, /wedge: STALL: no request completed for/);
  assert.match(r.stdout, /Outcome: +stalled \(stopped by the stall watchdog/);
  assert.match(r.stdout, /- every request in flight \(64\) waits on hello\[0\]/);
  assert.match(r.stdout, /- hello\[0\] received 64 requests it never answered/);
  assert.match(r.stdout, /FAIL no stall longer than 1\.00s: stalled from/);
});

Deno.test("hang-server with hangEvery=0 is healthy and exits 0", async () => {
  const r = await cli([
    "hang-server",
    "--set",
    "hangEvery=0",
    "--set",
    "nrequests=5000",
    "--quiet",
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /PASS no stall longer than 5\.00s: no stall/);
});

Deno.test("noStallLongerThan: bounds under 1s are refused; an unwatched run is not judged", async () => {
  assert.throws(() => noStallLongerThan("300ms"), /expected at least 1s/);
  const report = await runScenario(
    defineScenario({
      name: "unwatched",
      description: "d",
      servers: [{ behavior: hello() }],
      clients: [{ requests: 20 }],
      assert: [noStallLongerThan("1s")],
    }),
    { watchdog: false },
  );
  assert.equal(report.watchdog, null);
  assert.deepEqual(report.assertions[0], {
    name: "noStallLongerThan",
    description: "no stall longer than 1.00s",
    pass: false,
    measured: "not judged",
    detail: "the run was not watched for stalls (watchdog: false)",
  });
});

Deno.test("with two bounds the run stops at the shorter; the longer one says it was not judged", async () => {
  const report = await runScenario(defineScenario({
    name: "two-bounds",
    description: "d",
    timeLimit: "30s",
    servers: [{ behavior: hang() }],
    clients: [{ requests: 2 }],
    assert: [noStallLongerThan("30s"), noStallLongerThan("1s")],
  }));
  assert.equal(report.outcome, "stalled");
  assert.equal(report.stall!.boundMs, 1000);
  const [long, short] = report.assertions;
  assert.match(long.detail!, /^not judged: a shorter bound \(1\.00s\) stopped the run first/);
  assert.equal(short.detail, "every request in flight (1) waits on servers[0]");
});
