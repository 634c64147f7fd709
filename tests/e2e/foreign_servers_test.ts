// Diagnoses on servers wedge did not write (node and python programs started as command fleets),
// and handler failures counted where wedge runs the handler. Every test checks by PID that the
// command it started is gone.
import assert from "node:assert/strict";
import { runScenario } from "../../mod.ts";
import { renderTextReport } from "../../report/text.ts";
import foreign from "../fixtures/foreign_servers.ts";
import failing from "../fixtures/failing_handler.ts";
import { alive } from "../_process.ts";

const FAILING = new URL("../fixtures/failing_handler.ts", import.meta.url).pathname;

async function run(subject: string, set: Record<string, unknown> = {}) {
  const logDir = await Deno.makeTempDir({ prefix: "wedge-foreign-" });
  try {
    const report = await runScenario(foreign, { set: { subject, ...set }, logDir });
    for (const p of report.serverProcesses) assert.ok(!alive(p.pid), `${p.name} survived`);
    return report;
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
}

const SILENT =
  /^app\[0\] accepted 6 connections and answered none of the 6 requests on them for (\d+(\.\d+)?)(ms|s) \(its accept queue is empty and no answer bytes wait in any socket\): it reads requests and has answered none, a server-side hang or work slower than the bound \(wedge cannot count requests inside it: received and answered are unknown\)$/;

Deno.test("emfile: a python server at its fd limit is diagnosed as out of fds, not as 'not calling accept()'", async () => {
  const report = await run("emfile", { concurrency: 40, requests: 4000 });
  assert.equal(report.outcome, "stalled");
  const hints = report.stall!.hints.join("\n");
  assert.match(
    hints,
    /app\[0\]: \d+ connections? wait in its accept queue, never accepted: its process holds \d+ file descriptors of its limit 32, so accept\(\) fails with EMFILE/,
  );
  assert.doesNotMatch(hints, /not calling accept/);
  // And as an incident with when it happened, for the report and the HTML timeline.
  const incident = report.incidentMarks!.find((m) => m.text.startsWith("server process app[0]"));
  assert.ok(incident, report.incidents.join("\n"));
  assert.equal(incident.kind, "fds-near-limit");
  assert.match(incident.text, /open file descriptors reached \d+ of its limit 32 \(ulimit -n\)/);
});

for (const subject of ["silent-http", "silent-tcp"]) {
  Deno.test(`${subject}: a command that accepts and never answers is diagnosed from its sockets`, async () => {
    const report = await run(subject);
    assert.equal(report.outcome, "stalled");
    const stall = report.stall!;
    assert.deepEqual(stall.hints[0], "every request in flight (6) waits on app[0]");
    const hint = stall.hints.find((h) => h.startsWith("app[0] accepted"));
    assert.match(hint ?? stall.hints.join("\n"), SILENT);
    assert.ok(
      !stall.hints.some((h) => /never saw|wait before the handler/.test(h)),
      stall.hints.join("\n"),
    );
    // What wedge cannot count is unknown, never 0: in the report, the JSON and the text.
    assert.deepEqual(
      [report.servers[0].received, report.servers[0].responded, report.servers[0].handlerErrors],
      [null, null, null],
    );
    assert.deepEqual(stall.servers.map((s) => [s.received, s.responded]), [[null, null]]);
    assert.equal(report.successRate, null, "nothing completed: the share is unknown");
    assert.deepEqual(stall.servers[0].connections, { accepted: 6, acceptQueue: 0 });
    const json = JSON.parse(JSON.stringify(report));
    assert.equal(json.servers[0].received, null);
    // No response, no latency: the figures are unknown, not 0 ms.
    assert.equal(json.latency.count, 0);
    assert.deepEqual([json.latency.min, json.latency.max, json.latency.percentiles.p99], [
      null,
      null,
      null,
    ]);
    assert.match(renderTextReport(report), /Slowest: +n\/a \(no response\)/);
    const text = renderTextReport(report);
    assert.match(text, /: n\/a received, n\/a answered; 0 completed, 6 in flight/);
    assert.match(text, /Success rate: 0\.00% of the 60 planned requests ok \(STALLED; /);
  });
}

Deno.test("python's http.server (backlog 5) under 48 connections: the kernel's drops are reported", async () => {
  const report = await run("backlog", { concurrency: 48, requests: 200 });
  const listen = report.listen!;
  assert.ok(listen.overflows > 0 && listen.drops >= listen.overflows, JSON.stringify(listen));
  assert.deepEqual(listen.listeners.map((l) => [l.server, l.backlog]), [["app[0]", 5]]);
  assert.match(
    listen.hints[0],
    /^the kernel dropped \d+ connection attempts?: the listen queue of app\[0\] \(port \d+, backlog 5\) overflowed; clients waited for SYN retransmits \(1 s, 3 s, 7 s\.\.\.\)/,
  );
  const verdict = report.assertions.find((a) => a.name === "noListenOverflows")!;
  assert.equal(verdict.pass, false);
  assert.equal(verdict.detail, listen.hints[0]);
  assert.ok(report.timeline.some((p) => (p.listenDrops ?? 0) > 0), "drops show in the timeline");
  assert.ok(report.timeline.every((p) => p.listenDrops !== null));
  assert.match(
    renderTextReport(report),
    /Listen queues \((host-wide counters|the run's namespace)\): \d+ overflows/,
  );
});

for (const isolate of [false, true]) {
  Deno.test(`handler failures are counted with their first messages (${isolate ? "server host" : "runtime"})`, async () => {
    const logDir = await Deno.makeTempDir({ prefix: "wedge-failing-" });
    try {
      const report = await runScenario(failing, { set: { isolate }, file: FAILING, logDir });
      const s = report.servers[0];
      assert.deepEqual(report.statusCodes, { "200": 5, "500": 15 });
      assert.deepEqual([s.received, s.responded, s.handlerErrors], [20, 20, 15]);
      assert.deepEqual(s.handlerErrorMessages, [
        "Error: boom 0",
        'the handler returned string "not a response", not a Response',
        "the handler returned number 42, not a Response",
        "Error: boom 4",
        'the handler returned string "not a response", not a Response',
      ]);
      const text = renderTextReport(report);
      assert.match(
        text,
        /20 received, 20 answered; 20 completed, 0 in flight; 15 handler errors \(answered 500\)/,
      );
      assert.ok(text.includes("    handler error: Error: boom 0\n"), text);
    } finally {
      await Deno.remove(logDir, { recursive: true });
    }
  });
}
