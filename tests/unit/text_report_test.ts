import assert from "node:assert/strict";
import { renderTextReport } from "../../report/text.ts";
import { createProgressDisplay, formatProgress } from "../../cli/progress_display.ts";
import { reportFixture } from "../_report_fixture.ts";

Deno.test("the summary shows the oha-style sections and the seed's Throughput line", () => {
  const text = renderTextReport(reportFixture());
  for (
    const expected of [
      "fixture: a fixture",
      "params: n=1",
      "seed 7",
      "Success rate: 99.00%",
      "Requests/sec: 500.0",
      "Throughput: 500.0 request/s [1000 in 2.000s]",
      "Response time histogram:",
      "99% in 40.0ms",
      "[200] 990 responses",
      "[10] connection_refused: Connection refused (os error 111)",
      "connection_refused: nothing listens on the port",
      "s[1] http://127.0.0.1:2/ hello 200: 490 received, 490 answered; 500 completed, 0 in flight",
      "Runtime process 4242: peak open fds 40 (limit 20000), peak RSS 64.00MiB",
    ]
  ) {
    assert.ok(text.includes(expected), `missing ${JSON.stringify(expected)} in:\n${text}`);
  }
});

Deno.test("each assertion is printed PASS or FAIL with its measured value and the verdict last", () => {
  const text = renderTextReport(reportFixture({
    assertions: [
      {
        name: "a",
        description: "throughput at least 1 req/s",
        pass: true,
        measured: "500.0 req/s",
      },
      {
        name: "b",
        description: "p99 latency below 1.00ms",
        pass: false,
        measured: "p99 = 40.0ms",
        detail: "p99 40.0ms is not below 1.00ms",
      },
    ],
    passed: false,
  }));
  assert.match(text, /PASS throughput at least 1 req\/s: 500\.0 req\/s/);
  assert.match(
    text,
    /FAIL p99 latency below 1\.00ms: p99 = 40\.0ms\n\s+p99 40\.0ms is not below 1\.00ms/,
  );
  assert.match(text, /FAILED: 1 of 2 assertions failed\n$/);
  assert.ok(!text.includes("\x1b["), "no colour unless asked");
  assert.ok(renderTextReport(reportFixture(), { color: true }).includes("\x1b[32m"));
});

Deno.test("many servers are summarised in one line unless every server is asked for", () => {
  const servers = Array.from({ length: 40 }, (_, i) => ({
    fleet: "hello",
    index: i,
    url: `http://127.0.0.1:${1000 + i}/`,
    behavior: "hello 200",
    received: 100 + i,
    responded: 100 + i,
    handlerErrors: 0,
    handlerErrorMessages: [],
    completedByClients: 100 + i,
    inFlight: 0,
    failure: null,
    streams: null,
    placement: "runtime" as const,
  }));
  const text = renderTextReport(reportFixture({ servers }));
  assert.match(text, /40 servers: completed per server min 100, max 139/);
  assert.ok(!text.includes("hello[39]"));
  assert.ok(
    renderTextReport(reportFixture({ servers }), { allServers: true }).includes("hello[39]"),
  );
});

Deno.test("progress lines show done/total, rate, in flight and errors", () => {
  assert.equal(
    formatProgress({
      elapsedMs: 3200,
      planned: 1000,
      sent: 130,
      completed: 120,
      inFlight: 10,
      errors: 2,
      recentRps: 37.6,
    }),
    "[  3.20s] 120/1000 (12.0%)  38 req/s  in flight 10  errors 2",
  );
  assert.match(
    formatProgress({
      elapsedMs: 500,
      planned: null,
      sent: 5,
      completed: 5,
      inFlight: 0,
      errors: 0,
      recentRps: 10,
    }),
    /\] 5 done {2}10 req\/s/,
  );
});

Deno.test("without a terminal, progress prints at most one line per second", () => {
  const chunks: string[] = [];
  const display = createProgressDisplay({
    tty: false,
    writer: { writeSync: (p) => (chunks.push(new TextDecoder().decode(p)), p.length) },
  });
  const sample = { planned: 10, sent: 1, completed: 1, inFlight: 0, errors: 0, recentRps: 1 };
  for (const elapsedMs of [0, 250, 500, 1000, 1250, 2100]) {
    display.progress({ ...sample, elapsedMs });
  }
  display.phase({ phase: "stopping", reason: "time-limit" });
  display.close();
  assert.equal(chunks.filter((c) => c.startsWith("[")).length, 3);
  assert.ok(chunks.includes("wedge: stopping: time-limit\n"));
  assert.ok(chunks.every((c) => !c.includes("\r")), "no in-place redraw without a terminal");
});

Deno.test("on a terminal, progress redraws one line in place", () => {
  const chunks: string[] = [];
  const display = createProgressDisplay({
    tty: true,
    writer: { writeSync: (p) => (chunks.push(new TextDecoder().decode(p)), p.length) },
  });
  const sample = { planned: 10, sent: 1, completed: 1, inFlight: 0, errors: 0, recentRps: 1 };
  display.progress({ ...sample, elapsedMs: 0 });
  display.progress({ ...sample, elapsedMs: 100 });
  display.close();
  assert.equal(chunks.filter((c) => c.startsWith("\r\x1b[2K[")).length, 2);
  assert.equal(chunks.at(-1), "\n");
});

Deno.test("a server that stopped serving is marked in the server list", () => {
  const report = reportFixture();
  report.servers[0] = { ...report.servers[0], failure: "Too many open files (os error 24)" };
  assert.match(renderTextReport(report), /s\[0\] .*; STOPPED: Too many open files \(os error 24\)/);
});

Deno.test("incidents past 8 are counted, not all printed, unless asked", () => {
  const incidents = Array.from({ length: 20 }, (_, i) => `server hello[${i}] stopped accepting`);
  const text = renderTextReport(reportFixture({ incidents }));
  assert.ok(text.includes("hello[7] stopped"));
  assert.ok(!text.includes("hello[8] stopped"));
  assert.match(text, /\.\.\. 12 more \(--all-servers or --json shows every one\)/);
  assert.ok(
    renderTextReport(reportFixture({ incidents }), { allServers: true }).includes("hello[19]"),
  );
});

Deno.test("a stalled run headlines the share of planned requests, never a bare 100%", () => {
  const text = renderTextReport(reportFixture({
    outcome: "stalled",
    totals: {
      planned: 1000,
      sent: 464,
      completed: 400,
      ok: 400,
      failed: 0,
      errors: 0,
      inFlight: 64,
      abandoned: 0,
      retried: null,
      bodyBytes: 0,
    },
    successRate: 1,
  }));
  assert.ok(
    text.includes(
      "Success rate: 40.00% of the 1000 planned requests ok (STALLED; 100.00% of the 400 completed)\n",
    ),
    text,
  );
  assert.ok(!/Success rate: 100/.test(text), text);
});

Deno.test("a stalled duration run says it stalled next to the share of completed requests", () => {
  const text = renderTextReport(reportFixture({
    outcome: "stalled",
    totals: {
      planned: null,
      sent: 70,
      completed: 6,
      ok: 6,
      failed: 0,
      errors: 0,
      inFlight: 64,
      abandoned: 0,
      retried: null,
      bodyBytes: 0,
    },
    successRate: 1,
  }));
  assert.ok(
    text.includes(
      "Success rate: 100.00% of the 6 completed (STALLED: 64 in flight never completed)\n",
    ),
    text,
  );
});

Deno.test("a completed run's success rate is the plain share of completed requests", () => {
  assert.ok(renderTextReport(reportFixture()).includes("Success rate: 99.00%\n"));
});

Deno.test("a duration run whose grace ran out says what was stopped in flight, not a bare 100%", () => {
  // node answering every 5th request after 5 s, loaded for 3 s: 32 of 40 sent answered.
  const report = reportFixture();
  report.totals = { ...report.totals, planned: null, sent: 40, completed: 32, ok: 32, inFlight: 8 };
  report.successRate = 1;
  assert.match(
    renderTextReport(report),
    /Success rate: +100\.00% of the 32 completed \(8 of 40 sent were stopped in flight, unanswered\)\n/,
  );
});

Deno.test("a healthy run's longest pause is not a fault: it says there was no stall", () => {
  const pause = { fromMs: 1200, durationMs: 506.9 };
  const watched = renderTextReport(reportFixture({
    watchdog: { boundMs: 5000, resolutionMs: 350 },
    longestStall: pause,
    longestStallByProgress: { completions: pause, responses: null },
  }));
  assert.ok(
    watched.includes(
      "Longest pause: 506.9ms (from 1.20s into the load; no stall: bound 5.00s)\n",
    ),
    watched,
  );
  assert.ok(!watched.includes("Max stall"), watched);
  const unwatched = renderTextReport(reportFixture({
    longestStall: pause,
    longestStallByProgress: { completions: pause, responses: null },
  }));
  assert.ok(
    unwatched.includes(
      "Longest pause: 506.9ms (from 1.20s into the load; no stall bound was set)\n",
    ),
    unwatched,
  );
});

Deno.test("servers wedge cannot count read n/a, and handler errors are listed with messages", () => {
  const base = reportFixture();
  const text = renderTextReport(reportFixture({
    servers: [
      {
        ...base.servers[0],
        received: 500,
        responded: 500,
        handlerErrors: 7,
        handlerErrorMessages: ["Error: boom", "the handler returned undefined, not a Response"],
      },
      {
        ...base.servers[1],
        behavior: "command node app.mjs {port}",
        received: null,
        responded: null,
        handlerErrors: null,
        placement: "command",
      },
    ],
  }));
  for (
    const expected of [
      "s[0] http://127.0.0.1:1/ hello 200: 500 received, 500 answered; 500 completed, 0 in flight; 7 handler errors (answered 500)\n",
      "    handler error: Error: boom\n    handler error: the handler returned undefined, not a Response\n",
      "s[1] http://127.0.0.1:2/ command node app.mjs {port}: n/a received, n/a answered; 500 completed, 0 in flight\n",
    ]
  ) {
    assert.ok(text.includes(expected), `missing ${JSON.stringify(expected)} in:\n${text}`);
  }
  const many = renderTextReport(reportFixture({
    servers: Array.from({ length: 13 }, (_, i) => ({
      ...base.servers[0],
      index: i,
      received: i === 0 ? null : 100 + i,
      handlerErrors: i === 0 ? null : 1,
      handlerErrorMessages: i === 0 ? [] : [`Error: e${i}`],
    })),
  }));
  assert.ok(
    many.includes(
      "received per server min 101, max 112 (n/a for 1); 12 handler errors (--json has each one)\n    first handler error (s[1]): Error: e1\n",
    ),
    many,
  );
});

Deno.test("the listen section shows the counters' scope, the backlogs and the hint", () => {
  const text = renderTextReport(reportFixture({
    listen: {
      scope: "host",
      before: { overflows: 10, drops: 10 },
      after: { overflows: 50, drops: 52 },
      overflows: 40,
      drops: 42,
      listeners: [{ server: "py[0]", port: 40367, backlog: 5 }, {
        server: "py[1]",
        port: 40368,
        backlog: null,
      }],
      hints: ["the kernel dropped 42 connection attempts: ..."],
    },
  }));
  assert.ok(
    text.includes(
      "Listen queues (host-wide counters): 40 overflows, 42 drops during the run; backlog py[0] 5, py[1] n/a\n  - the kernel dropped 42 connection attempts: ...\n",
    ),
    text,
  );
});

Deno.test("an open model's late requests are split by cause; a report from before the split is not", () => {
  const rate = {
    scheduled: 1000,
    sent: 1000,
    achieved: 1,
    targetPerSecond: 500,
    achievedPerSecond: 500,
    late: 40,
    dropped: 0,
  };
  const split = renderTextReport(reportFixture({
    rate: { ...rate, lateBusy: 38, wakeLatenessMs: { count: 900, p50: 0.05, p99: 0.8, max: 12 } },
  }));
  assert.match(
    split,
    /of the late: 38 found every connection of their client busy .*, 2 were wedge's own lateness/,
  );
  assert.match(
    split,
    /wedge's own send lateness \(900 requests a free connection waited for\): p50 50us, p99 800us, max 12\.0ms/,
  );
  const old = renderTextReport(reportFixture({ rate }));
  assert.match(old, /40 late \(sent 10ms\+ after their time\)/);
  assert.doesNotMatch(old, /of the late|own send lateness/);
});

Deno.test("sockets there before the load are said apart; none, or an old report, says nothing", () => {
  const sockets = reportFixture().sockets!;
  const text = (before?: number | null) =>
    renderTextReport(reportFixture({ sockets: { ...sockets, before } }));
  assert.match(
    text(40),
    /\n {2}40 sockets were on these ports before the load \(wedge's readiness probes, an earlier run's TIME_WAIT, another program's connections\): not counted\n/,
  );
  assert.match(text(1), /\n {2}1 socket was on these ports before the load/);
  for (const none of [0, null, undefined]) assert.doesNotMatch(text(none), /before the load/);
});

Deno.test("the probe after the load: a server connected to but silent is NOT ANSWERING, a refused one NOT ACCEPTING", () => {
  const probe = (lastConnected: boolean, lastError: string) => {
    const report = reportFixture();
    report.servers = report.servers.map((s) => ({
      ...s,
      probe: {
        attempts: 5,
        answeredAfterMs: null,
        status: null,
        lastError,
        lastConnected,
        boundMs: 5000,
      },
    }));
    return renderTextReport(report, { allServers: true });
  };
  assert.match(
    probe(true, "connected, but no status within 1000ms"),
    /after the load: NOT ANSWERING \(5 probes over 5\.00s: connected, but no status within 1000ms\)/,
  );
  assert.match(
    probe(false, "connection refused"),
    /after the load: NOT ACCEPTING \(5 probes over 5\.00s: connection refused\)/,
  );
});

Deno.test("no response at all: latency and success rate read n/a, never 0us or 0.00%", () => {
  const report = reportFixture();
  report.totals = { ...report.totals, completed: 0, ok: 0, failed: 0, errors: 0 };
  report.successRate = 0;
  report.latency = { ...report.latency, count: 0, min: null, max: null, mean: null };
  const text = renderTextReport(report);
  assert.match(text, /Success rate: +n\/a \(nothing completed\)\n/);
  for (const name of ["Slowest", "Fastest", "Average"]) {
    assert.match(text, new RegExp(`${name}: +n/a \\(no response\\)\\n`));
  }
  const stalled = renderTextReport({ ...report, outcome: "stalled" });
  assert.match(stalled, /0\.00% of the 1000 planned requests ok \(STALLED; none completed\)/);
  // Some completed: the figures as measured.
  assert.match(renderTextReport(reportFixture()), /Success rate: +99\.00%\n/);
});
