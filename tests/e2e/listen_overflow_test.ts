import assert from "node:assert/strict";
import { noListenOverflows } from "../../assert/assertions.ts";
import {
  type ListenEvidence,
  listenReport,
  parseNetstat,
  parseSsListen,
  readListenBacklogs,
  readListenCounters,
} from "../../system/listen_overflow.ts";
import { reportFixture } from "../_report_fixture.ts";

// The first TcpExt pair of this machine's /proc/net/netstat, cut short, then the IpExt pair.
const NETSTAT =
  `TcpExt: SyncookiesSent SyncookiesRecv DelayedACKLost ListenOverflows ListenDrops TCPHPHits
TcpExt: 0 0 20 812 815 286804
IpExt: InNoRoutes InTruncatedPkts
IpExt: 0 0
`;

Deno.test("TcpExt ListenOverflows and ListenDrops are read by name, not by position", () => {
  const sections = parseNetstat(NETSTAT);
  assert.equal(sections.TcpExt.ListenOverflows, 812);
  assert.equal(sections.TcpExt.ListenDrops, 815);
  assert.deepEqual(sections.IpExt, { InNoRoutes: 0, InTruncatedPkts: 0 });
});

Deno.test("ss -ltn: the Send-Q of a LISTEN socket is its backlog, for the run's ports only", () => {
  const text = `LISTEN 0      5          127.0.0.1:40367      0.0.0.0:*
LISTEN 3      511        127.0.0.1:40368      0.0.0.0:*
LISTEN 0      128          0.0.0.0:2024       0.0.0.0:*
LISTEN 0      4096           [::1]:40369         [::]:*
`;
  assert.deepEqual(parseSsListen(text, new Set([40367, 40368, 40369])), {
    "40367": 5,
    "40368": 511,
    "40369": 4096,
  });
});

Deno.test("this machine's counters and a listener's backlog can be read", {
  ignore: Deno.build.os !== "linux",
}, async () => {
  const counters = await readListenCounters();
  assert.ok(counters && counters.drops >= counters.overflows, JSON.stringify(counters));
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const backlogs = await readListenBacklogs(new Set([port]));
    assert.ok(backlogs[port] > 0, JSON.stringify(backlogs));
  } finally {
    listener.close();
  }
});

const listeners = [
  { server: "py[0]", port: 40367, backlog: 5 },
  { server: "hello[0]", port: 40368, backlog: 511 },
];

function evidence(overrides: Partial<ListenEvidence> = {}): ListenEvidence {
  return {
    before: { overflows: 100, drops: 100 },
    after: { overflows: 140, drops: 142 },
    namespace: true,
    listeners,
    ...overrides,
  };
}

Deno.test("drops during the run name the listener with the smallest backlog", () => {
  const r = listenReport(evidence())!;
  assert.deepEqual([r.scope, r.overflows, r.drops], ["namespace", 40, 42]);
  assert.deepEqual(r.hints, [
    "the kernel dropped 42 connection attempts: the listen queue of py[0] (port 40367, backlog 5) overflowed; clients waited for SYN retransmits (1 s, 3 s, 7 s...)",
  ]);
});

Deno.test("host-wide counters say so; unknown backlogs name every listener as unknown", () => {
  const r = listenReport(evidence({
    namespace: false,
    after: { overflows: 101, drops: 101 },
    listeners: listeners.map((l) => ({ ...l, backlog: null })),
  }))!;
  assert.equal(r.scope, "host");
  assert.deepEqual(r.hints, [
    "the kernel dropped 1 connection attempt: a listen queue overflowed (py[0] (port 40367, backlog unknown), hello[0] (port 40368, backlog unknown)); clients waited for SYN retransmits (1 s, 3 s, 7 s...) (the counters are the host's: other programs' listeners count too; run with a network namespace of its own to count only the run's)",
  ]);
});

Deno.test("host-wide drops while no listener of the run was seen full are said to be likely elsewhere", () => {
  const host = (peakAcceptQueue: Record<string, number> | null) =>
    listenReport(evidence({ namespace: false, peakAcceptQueue }))!.hints;
  assert.deepEqual(host({ "40367": 0, "40368": 1 }), [
    "the host's kernel counted 42 dropped connection attempts during the run, but no listener of the run was seen full (accept queues peaked at 1, backlogs 5 or more, read about every 250 ms): the drops are likely another program's; run with a network namespace of its own to count only the run's",
  ]);
  // A queue seen full, no census, or the run's own namespace: the listener is named as before.
  for (const hints of [host({ "40367": 5, "40368": 0 }), host(null)]) {
    assert.match(hints[0], /: the listen queue of py\[0\] \(port 40367, backlog 5\) overflowed/);
  }
  const own = listenReport(evidence({ peakAcceptQueue: { "40367": 0, "40368": 0 } }))!;
  assert.match(own.hints[0], /the listen queue of py\[0\]/);
});

Deno.test("no drops: no hint; unknown counters: no section at all", () => {
  assert.deepEqual(listenReport(evidence({ after: { overflows: 100, drops: 100 } }))!.hints, []);
  assert.equal(listenReport(evidence({ before: null })), null);
  assert.equal(listenReport(evidence({ after: null })), null);
});

Deno.test("noListenOverflows passes on none, fails on drops with the hint, and is not judged unknown", () => {
  const check = (listen: ReturnType<typeof listenReport>) =>
    noListenOverflows().check(reportFixture({ listen }));
  assert.deepEqual(
    check(listenReport(evidence({ after: { overflows: 100, drops: 100 } }))),
    { pass: true, measured: "none (in the run's namespace)" },
  );
  const failed = check(listenReport(evidence()));
  assert.equal(failed.pass, false);
  assert.equal(failed.measured, "40 overflows, 42 drops (in the run's namespace)");
  assert.match(
    failed.detail!,
    /^the kernel dropped 42 connection attempts: the listen queue of py\[0\]/,
  );
  assert.deepEqual(check(null), {
    pass: false,
    measured: "not measured",
    detail: "no kernel counters (/proc/net/netstat TcpExt ListenOverflows, ListenDrops)",
  });
});
