import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  defineScenario,
  delay,
  hang,
  hello,
  noStallLongerThan,
  openStreamsBelow,
  runScenario,
  ScenarioError,
  slowBody,
} from "../../mod.ts";
import { resolveScenario } from "../../scenario/resolve.ts";
import { createTlsMaterial } from "../../servers/tls_material.ts";
import leak from "../../scenarios/h2_stream_leak.ts";

Deno.test("h2 is negotiated: one client's 40 concurrent requests share one connection", async () => {
  const ports = new Set<number>();
  const report = await runScenario(defineScenario({
    name: "h2-mux",
    description: "d",
    servers: [{
      protocol: "h2",
      behavior: delay("100ms", {
        then: (_req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => {
          ports.add(info.remoteAddr.port);
          return new Response("ok");
        },
      }),
    }],
    clients: [{ concurrency: 40, requests: 80 }],
  }));
  assert.equal(report.totals.ok, 80);
  assert.match(report.servers[0].url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(ports.size, 1, "HTTP/1.1 would have needed 40 connections");
  assert.ok(
    report.servers[0].streams!.peakOnOneConnection >= 30,
    JSON.stringify(report.servers[0]),
  );
  assert.equal(report.servers[0].streams!.openAtEnd, 0);
});

Deno.test("timeouts that do not cancel leak streams to the 200 limit; the stall names it", async () => {
  const report = await runScenario(leak, {
    set: { hangEvery: 5, nrequests: 3000, timeout: "100ms", stallBound: "1s" },
  });
  assert.equal(report.outcome, "stalled");
  const streams = report.servers[0].streams!;
  assert.equal(streams.peakOnOneConnection, 200);
  assert.equal(streams.reset, 0, "nothing cancelled");
  assert.match(report.stall!.hints[0], /^h2\[0\] has 200 HTTP\/2 streams open on one connection/);
  assert.deepEqual(report.assertions.map((a) => a.pass), [false, false]);
});

Deno.test("timeouts that cancel reset their streams: the run completes with every stream closed", async () => {
  const report = await runScenario(leak, {
    set: { cancel: true, hangEvery: 5, nrequests: 400, timeout: "100ms" },
  });
  assert.equal(report.outcome, "completed");
  const streams = report.servers[0].streams!;
  assert.equal(streams.openAtEnd, 0);
  assert.equal(streams.reset, 80, "every 5th of 400 requests hung and was cancelled");
  assert.equal(streams.resetByServer, 0, "the server reset none: the client cancelled them");
  assert.ok(streams.peakOnOneConnection < 200);
  assert.equal(report.passed, true, JSON.stringify(report.assertions));
});

Deno.test("openStreamsBelow needs an HTTP/2 server to judge", async () => {
  const report = await runScenario(defineScenario({
    name: "h1-only",
    description: "d",
    servers: [{ behavior: hello() }],
    clients: [{ requests: 2 }],
    assert: [openStreamsBelow(10)],
  }));
  assert.deepEqual(report.assertions[0].detail, "no HTTP/2 server in the run");
});

Deno.test("a client fleet that would load both h1 and h2 servers must name its target", () => {
  try {
    resolveScenario(defineScenario({
      name: "mixed",
      description: "d",
      servers: [{ name: "a" }, { name: "b", protocol: "h2" }],
      clients: [{ requests: 1 }, { requests: 1, target: "b" }],
    }));
    assert.fail("expected a ScenarioError");
  } catch (error) {
    assert.ok(error instanceof ScenarioError);
    assert.deepEqual(error.issues, [{
      path: "clients[0].target",
      message:
        'the server fleets it would load speak both "h1" and "h2": name one fleet in "target"',
    }]);
  }
});

Deno.test("the TLS material is a CA and a leaf for 127.0.0.1, and no run writes it to disk", async () => {
  const tls = await createTlsMaterial();
  assert.match(tls.caPem, /^-----BEGIN CERTIFICATE-----/);
  assert.match(tls.keyPem, /^-----BEGIN PRIVATE KEY-----/);
  assert.notEqual(tls.caPem, tls.certPem);
  const tmp = await Deno.makeTempDir();
  try {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "cli/main.ts",
        "h2-stream-leak",
        "--set",
        "cancel=true",
        "--set",
        "nrequests=200",
        "--quiet",
      ],
      cwd: root,
      env: { TMPDIR: tmp, TMP: tmp, TEMP: tmp, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stdout));
    const left = [];
    for await (const entry of Deno.readDir(tmp)) left.push(entry.name);
    assert.deepEqual(left, [], "nothing written to the temporary directory");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("noStallLongerThan counts only responses when asked: a run of timeouts is a stall", async () => {
  const report = await runScenario(defineScenario({
    name: "all-timeouts",
    description: "d",
    timeLimit: "20s",
    servers: [{ behavior: hang() }],
    clients: [{ concurrency: 4, requests: 10_000, timeout: "100ms" }],
    assert: [noStallLongerThan("1s", { progress: "responses" })],
  }));
  assert.equal(report.outcome, "stalled");
  assert.equal(report.stall!.progress, "responses");
  assert.ok(report.totals.errors > 0, "the timeouts completed, but none was a response");
});

Deno.test("a stream stays open while its body is still being sent (a leak in the body phase)", async () => {
  const report = await runScenario(defineScenario({
    name: "body-leak",
    description: "slow bodies, timeouts that do not cancel",
    timeLimit: "20s",
    servers: [{ protocol: "h2", behavior: slowBody({ bytesPerSecond: 20, bodyBytes: 1000 }) }],
    clients: [{ concurrency: 4, requests: 8, timeout: { after: "100ms", cancel: false } }],
    assert: [openStreamsBelow(8)],
  }));
  const streams = report.servers[0].streams!;
  assert.equal(report.totals.abandoned, 8);
  assert.equal(streams.openAtEnd, 8, "the handlers answered, but the bodies never ended");
  assert.equal(streams.peakOnOneConnection, 8);
  assert.equal(report.assertions[0].pass, false);
});

Deno.test("stall assertions of both kinds: the responses watchdog stops the run; completions held", async () => {
  const report = await runScenario(defineScenario({
    name: "two-kinds",
    description: "every request times out",
    timeLimit: "20s",
    servers: [{ behavior: hang() }],
    clients: [{ concurrency: 4, requests: 10_000, timeout: "100ms" }],
    assert: [noStallLongerThan("1s"), noStallLongerThan("2s", { progress: "responses" })],
  }));
  assert.equal(report.outcome, "stalled");
  assert.equal(report.stall!.progress, "responses");
  assert.equal(report.stall!.boundMs, 2000);
  const [completions, responses] = report.assertions;
  assert.equal(completions.pass, true, completions.measured);
  assert.equal(responses.pass, false);
});

Deno.test("a server host process counts streams as the runtime does: 200 leaked, 80 reset, 0 open at the end", async () => {
  const isolated = (cancel: boolean, nrequests: number) =>
    defineScenario({
      name: "h2-isolated",
      description: "d",
      servers: [{ name: "h2", protocol: "h2", isolate: true, behavior: hang({ every: 5 }) }],
      clients: [{ concurrency: 32, requests: nrequests, timeout: { after: "100ms", cancel } }],
      assert: [noStallLongerThan("1s", { progress: "responses" }), openStreamsBelow(200)],
    });
  const leaked = await runScenario(isolated(false, 3000));
  assert.equal(leaked.outcome, "stalled");
  assert.deepEqual(leaked.servers[0].streams, {
    reset: 0,
    resetByServer: 0,
    openAtEnd: 200,
    peakOnOneConnection: 200,
  });
  assert.match(leaked.stall!.hints[0], /^h2\[0\] has 200 HTTP\/2 streams open on one connection/);
  const cancelled = await runScenario(isolated(true, 400));
  assert.equal(cancelled.outcome, "completed");
  assert.equal(cancelled.servers[0].streams!.reset, 80);
  assert.equal(cancelled.servers[0].streams!.openAtEnd, 0);
  assert.ok(cancelled.servers[0].streams!.peakOnOneConnection < 200);
});

Deno.test("every stream slot held by a server that never answers, with no client timeout: the hint blames the server, not timeouts", async () => {
  const report = await runScenario(defineScenario({
    name: "held",
    description: "h2 clients with no timeout against a server that hangs every 2nd request",
    timeLimit: "30s",
    servers: [{ name: "h2", protocol: "h2", behavior: hang({ every: 2 }) }],
    clients: [{ concurrency: 250, requests: 1000 }],
    assert: [noStallLongerThan("1s", { progress: "responses" })],
  }));
  assert.equal(report.outcome, "stalled");
  assert.equal(report.servers[0].streams!.peakOnOneConnection, 200);
  const hint = report.stall!.hints.find((h) => h.includes("HTTP/2 streams open on one connection"));
  assert.match(
    hint ?? report.stall!.hints.join("\n"),
    /the server holds those requests unanswered/,
  );
  assert.doesNotMatch(report.stall!.hints.join("\n"), /seed 004/);
});
