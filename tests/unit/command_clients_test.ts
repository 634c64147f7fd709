// Command client fleets, the pure parts: the schema and its resolution, placeholders, the client
// stall's hints, the client-process assertions and their text.
import assert from "node:assert/strict";
import { defineScenario, fdsBelow, hello, rssDeltaBelow } from "../../mod.ts";
import { resolveScenario } from "../../scenario/resolve.ts";
import { expandArgv } from "../../run/command_clients.ts";
import { diagnoseClientStall } from "../../report/client_stall_diagnosis.ts";
import { clientProcessesSucceed } from "../../assert/client_processes.ts";
import { outcomeDetail } from "../../run/outcome.ts";
import type { RunPlan } from "../../plan/plan.ts";
import { renderTextReport } from "../../report/text.ts";
import type { ClientProcessReport, CommandClientsReport } from "../../report/types.ts";
import { clientProcessFixture, reportFixture } from "../_report_fixture.ts";
import { scenarioIssues } from "../_scenario_issues.ts";

Deno.test("a command client fleet resolves apart, with clientProcessesSucceed added", () => {
  const scenario = resolveScenario(defineScenario({
    name: "own",
    description: "d",
    servers: [{ name: "api", behavior: hello() }],
    clients: [{ requests: 10 }, { name: "mine", count: 3, command: ["./c", "{url}"] }],
  }));
  assert.equal(scenario.clients.length, 1);
  assert.deepEqual(scenario.commandClients, [{
    kind: "command",
    name: "mine",
    count: 3,
    argv: ["./c", "{url}"],
    env: {},
    cwd: null,
    target: null,
    durationMs: null,
    timeoutMs: null,
  }]);
  assert.deepEqual(scenario.assert.map((a) => a.name), ["clientProcessesSucceed"]);
});

Deno.test("a command client fleet's mistakes are named with their field", () => {
  assert.deepEqual(
    scenarioIssues({ clients: [{ command: ["c"], duration: "1s", until: "exit", target: "x" }] }),
    ['clients[0]: give "duration" (wedge stops it) or until: "exit" (it stops itself), not both'],
  );
  assert.deepEqual(scenarioIssues({ clients: [{ command: ["c"], target: "nope" }] }), [
    'clients[0].target: no server fleet named "nope"; fleets are: servers',
  ]);
  assert.deepEqual(scenarioIssues({ clients: [{ command: ["c"], requests: 5 }] }), [
    'clients[0].requests: unknown field "requests" (known fields: name, count, command, env, cwd, target, duration, until, timeout)',
  ]);
});

Deno.test("a memory assertion of a client fleet repeats no load", () => {
  const scenario = resolveScenario(defineScenario({
    name: "own",
    description: "d",
    servers: [{}],
    clients: [{ name: "mine", command: ["./c"] }],
    assert: [rssDeltaBelow("1MiB", { of: "mine" })],
  }));
  assert.equal(scenario.rounds, null);
});

Deno.test("placeholders: {url} per client, {urls} as arguments or text, {index} and {count}", () => {
  const values = { url: "u1", urls: ["u1", "u2"], urlsFile: "/f", index: 0, count: 2 };
  assert.deepEqual(expandArgv(["sh", "-c", "x {url} {urls} {urls_file} {index}/{count}"], values), [
    "sh",
    "-c",
    "x u1 u1 u2 /f 0/2",
  ]);
  assert.deepEqual(expandArgv(["c", "{urls}"], values), ["c", "u1", "u2"]);
});

const IDLE = {
  localPort: 50000,
  remotePort: 8080,
  state: "ESTABLISHED" as const,
  ageMs: 4000,
  unsentBytes: 0,
  unreadBytes: 0,
};

function stall(
  over: { openFds?: number; unread?: number; answered?: number; received?: number },
) {
  return diagnoseClientStall({
    boundMs: 2000,
    atMs: 5000,
    lastRequestAtMs: 3000,
    processes: [{
      name: "c[0]",
      pid: 9,
      openFds: over.openFds ?? 5,
      fdLimit: 1024,
      rssBytes: 1 << 20,
      connections: [{ ...IDLE, unreadBytes: over.unread ?? 0 }],
    }],
    servers: [{ name: "s[0]", received: over.received ?? 10, answered: over.answered ?? 10 }],
  });
}

Deno.test("a client stall's hints: idle pool (seed 000), fds at the limit, server-side wait, unread", () => {
  assert.match(
    stall({}).hints.join("\n"),
    /c\[0\] \(1 connection\) held open connections, idle.*seed 000/,
  );
  assert.match(stall({ openFds: 1000 }).hints[0], /1000 open fds of its limit 1024/);
  assert.match(stall({ answered: 7 }).hints[0], /hold 3 request\(s\).*server side/);
  assert.doesNotMatch(stall({ answered: 7 }).hints.join("\n"), /seed 000/);
  assert.match(stall({ unread: 512 }).hints[0], /512B of answers unread/);
});

Deno.test("a client that connected and never sent is not seed 000's pool: the servers received none", () => {
  const hints = stall({ received: 0, answered: 0 }).hints;
  assert.deepEqual(hints, [
    "c[0] (1 connection) held open connections and the servers received no request: either it " +
    "sent none (it waits on something of its own before its first request: its input, a lock, " +
    "another service), or its requests wait at servers that have not accepted or read those " +
    "connections (see the servers' incidents and accept queues)",
  ]);
});

const clientProcess = clientProcessFixture;

function withClients(processes: ClientProcessReport[]): CommandClientsReport {
  return { source: "server view", received: 5, answered: 5, processes, stall: null };
}

Deno.test("clientProcessesSucceed: exit 0 and a duration's stop complete; exit 1 fails with stderr", () => {
  const check = (p: ClientProcessReport[]) =>
    clientProcessesSucceed().check(reportFixture({ commandClients: withClients(p) }));
  assert.equal(
    check([clientProcess({}), clientProcess({ ending: "stopped-after-duration" })]).pass,
    true,
  );
  const failed = check([clientProcess({ code: 1, stderrTail: "boom\n" })]);
  assert.equal(failed.pass, false);
  assert.match(failed.detail!, /c\[0\] exited with code 1; its stderr ends:\n {4}boom/);
  assert.match(check([clientProcess({ ending: "timed-out" })]).detail!, /past its timeout/);
  assert.equal(check([]).measured, "not judged");
});

Deno.test("a completed run's outcome names the client processes that did not complete", () => {
  const commandClients = withClients([
    clientProcess({}),
    clientProcess({ name: "py[0]", code: 3 }),
    clientProcess({ name: "sl[0]", ending: "timed-out" }),
    clientProcess({ name: "seg[0]", code: null, signal: "SIGSEGV" }),
  ]);
  const run = {
    plan: { timeLimitMs: 5000 } as RunPlan,
    graceExpired: false,
    durationGraceMs: null,
    stall: null,
    exitedProcess: null,
  };
  assert.equal(
    outcomeDetail("completed", { ...run, commandClients }),
    "every client ended; 3 of 4 client processes did not complete: py[0] exited with code 3, " +
      "sl[0] ran past its timeout and was stopped, seg[0] was ended by SIGSEGV",
  );
  // All completed, or another outcome that already says why: as it was.
  const ok = withClients([clientProcess({})]);
  assert.equal(
    outcomeDetail("completed", { ...run, commandClients: ok }),
    "every client finished",
  );
  assert.equal(
    outcomeDetail("time-limit", { ...run, commandClients }),
    "stopped by the time limit (5.00s)",
  );
});

Deno.test("fdsBelow of a client fleet judges its processes' peak", () => {
  const report = reportFixture({
    commandClients: withClients([clientProcess({ peakOpenFds: 70 })]),
  });
  assert.equal(fdsBelow(100, { of: "c" }).check(report).pass, true);
  assert.equal(fdsBelow(50, { of: "c" }).check(report).pass, false);
  assert.equal(fdsBelow(50, { of: "other" }).check(report).measured, "not measured");
});

Deno.test("a run with only client processes prints the server view and n/a, never 0", () => {
  const text = renderTextReport(reportFixture({
    shape: { servers: 1, clients: 0, workers: 0, concurrency: 0 },
    clients: [],
    commandClients: withClients([clientProcess({ code: 2, stderrTail: "bad" })]),
  }));
  assert.match(text, /Requests: +5 received, 5 answered by the servers/);
  assert.match(text, /Latency: +n\/a/);
  assert.doesNotMatch(text, /Success rate/);
  assert.match(text, /c\[0\] pid 10 .*exited 2/);
  assert.match(text, /stderr ends:\n +bad/);
});

Deno.test("a client's memory is judged while requests are answered, not while it exits", () => {
  // 100 requests and +800 KiB every reading; the last reading, at the final count, is taken
  // while the interpreter frees it all on exit (the CI run of 2026-11-30 caught one such).
  const rss = Array.from({ length: 12 }, (_, i) => ({
    atMs: i * 250,
    rssBytes: (20 << 20) + i * 800 * 1024,
    answered: i * 100,
  }));
  rss.push({ atMs: 3000, rssBytes: 20 << 20, answered: 1100 });
  const judge = (readings: typeof rss) =>
    rssDeltaBelow("1MiB", { of: "c", warmup: 2, iterations: 4 }).check(
      reportFixture({ commandClients: withClients([clientProcess({ rss: readings })]) }),
    );
  const leak = judge(rss);
  assert.equal(leak.pass, false, leak.detail ?? "");
  assert.match(leak.measured, /c\[0\] \+.*growing/);
  const flat = judge(rss.map((r) => ({ ...r, rssBytes: 20 << 20 })));
  assert.equal(flat.pass, true, flat.detail ?? "");
  const short = judge(rss.slice(0, 3).concat(rss.slice(-1)));
  assert.match(short.detail!, /3 memory readings while requests were answered, 5 needed/);
});
