import assert from "node:assert/strict";
import { serversStayAccepting } from "../../assert/accepting.ts";
import type { ServerReport } from "../../report/types.ts";
import { reportFixture } from "../_report_fixture.ts";

function server(
  fleet: string,
  index: number,
  probe: ServerReport["probe"],
  failure: string | null = null,
): ServerReport {
  return {
    fleet,
    index,
    url: `http://127.0.0.1:${4000 + index}/`,
    behavior: "hello 200",
    received: null,
    responded: null,
    handlerErrors: null,
    handlerErrorMessages: [],
    completedByClients: 100,
    inFlight: 0,
    failure,
    streams: null,
    placement: "host",
    probe,
  };
}

const ANSWERED = { attempts: 1, answeredAfterMs: 2, status: 200, lastError: null, boundMs: 3000 };
const DEAD = {
  attempts: 5,
  answeredAfterMs: null,
  status: null,
  lastError: "connection refused",
  boundMs: 3000,
};

Deno.test("serversStayAccepting fails the fleet whose servers refuse the probes, and says why", () => {
  const report = reportFixture({
    servers: [
      server("deno", 0, DEAD, "Error: Too many open files (os error 24)"),
      server("node", 0, ANSWERED),
    ],
    incidentMarks: [{
      atMs: 2140,
      kind: "server-stopped-accepting",
      text: "server deno[0] stopped accepting connections 2.14s into the load: Error: Too many",
    }],
    timelineProcesses: [
      { name: "runtime", role: "runtime", pid: 1, fleet: null, fdLimit: 20000 },
      { name: "deno (host)", role: "server-host", pid: 2, fleet: "deno", fdLimit: 256 },
    ],
    timeline: [
      { ...reportFixture().timeline[0], processOpenFds: [40, 255] },
    ],
  });
  const outcome = serversStayAccepting().check(report);
  assert.equal(outcome.pass, false);
  assert.equal(outcome.detail, "stopped accepting: deno");
  assert.match(
    outcome.measured,
    /^deno: 0 of 1 accept after the load, 5 probes over 3\.00s: connection refused, 1 stopped accepting during the load, the first at 2\.14s \(Error: Too many open files \(os error 24\)\), its process peaked at 255 open fds \(limit 256\), 100 requests completed against it; node: 1 of 1 accept after the load, at the first probe, 100 requests completed against it$/,
  );
});

Deno.test("serversStayAccepting passes when every server answers, and a server not probed is unknown, not a pass", () => {
  const assertion = serversStayAccepting();
  assert.deepEqual(assertion.watch, { probe: true });
  const ok = assertion.check(reportFixture({ servers: [server("a", 0, ANSWERED)] }));
  assert.equal(ok.pass, true);
  const recovered = assertion.check(reportFixture({
    servers: [server("a", 0, { ...ANSWERED, attempts: 3, answeredAfterMs: 1004 })],
  }));
  assert.equal(recovered.pass, true);
  assert.match(recovered.measured, /the last after 1\.00s of probing/);
  const unknown = assertion.check(reportFixture({ servers: [server("a", 0, null)] }));
  assert.equal(unknown.pass, false);
  assert.match(unknown.measured, /a: 0 of 1 accept after the load, 1 not probed \(n\/a\)/);
});

Deno.test("a server the probes connect to but that never answers is not answering, not 'stopped accepting'", () => {
  const silent = {
    ...DEAD,
    lastError: "connected, but no status within 1000ms",
    lastConnected: true,
  };
  const outcome = serversStayAccepting().check(reportFixture({
    servers: [server("quiet", 0, silent), server("gone", 0, { ...DEAD, lastConnected: false })],
  }));
  assert.equal(outcome.pass, false);
  assert.equal(
    outcome.detail,
    "stopped accepting: gone; not answering (connected, no status): quiet",
  );
});

Deno.test("a fleet whose process exited on its own says so, with how and when", () => {
  const exit = { code: 1, signal: null, atMs: 150, early: true, stderrTail: "Deno has panicked" };
  const host = {
    name: "deno (host)",
    fleet: "deno",
    role: "server-host" as const,
    pid: 2,
    command: "deno run servers/host.ts (deno)",
    stdoutLog: "o",
    stderrLog: "e",
    stopFailure: null,
  };
  const check = (exitOf: typeof exit | null) =>
    serversStayAccepting().check(reportFixture({
      servers: [server("deno", 0, DEAD), server("node", 0, ANSWERED)],
      serverProcesses: [{ ...host, exit: exitOf }],
      durationMs: 10_000,
    })).measured;
  assert.match(
    check(exit),
    /^deno: 0 of 1 accept after the load, 5 probes over 3\.00s: connection refused, its process exited on its own \(deno \(host\): code 1, 150\.0ms into the load\), 100 requests/,
  );
  // During the probes after a 10 s load: after it, not "into" it.
  assert.match(
    check({ ...exit, atMs: 12_300 }),
    /\(deno \(host\): code 1, 2\.30s after the load\)/,
  );
  // Stopped by wedge at the end: not an early exit, nothing said.
  assert.doesNotMatch(check({ ...exit, early: false }), /exited/);
  assert.doesNotMatch(check(null), /exited/);
});
