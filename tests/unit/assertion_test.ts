import assert from "node:assert/strict";
import {
  allRequestsComplete,
  latencyBelow,
  noStallLongerThan,
  rateAchieved,
  successRateAtLeast,
  throughputAtLeast,
} from "../../mod.ts";
import { judge } from "../../assert/assertions.ts";
import { clientProcessFixture, reportFixture } from "../_report_fixture.ts";

/** Listen counters with nothing dropped, host-wide. */
const LISTEN = {
  scope: "host" as const,
  before: { overflows: 0, drops: 0 },
  after: { overflows: 0, drops: 0 },
  overflows: 0,
  drops: 0,
  listeners: [],
  hints: [],
};

Deno.test("allRequestsComplete fails on errors and says how many", () => {
  const outcome = allRequestsComplete().check(reportFixture());
  assert.deepEqual(outcome, {
    pass: false,
    measured: "990/1000 got a response",
    detail: "10 ended in an error",
  });
});

Deno.test("allRequestsComplete passes when every planned request got a response", () => {
  const report = reportFixture();
  report.totals = { ...report.totals, ok: 1000, failed: 0, errors: 0 };
  assert.deepEqual(allRequestsComplete().check(report), {
    pass: true,
    measured: "1000/1000 got a response",
  });
});

Deno.test("allRequestsComplete counts a 5xx as a response: completion is not success", () => {
  const report = reportFixture();
  report.totals = { ...report.totals, ok: 900, failed: 100, errors: 0 };
  assert.equal(allRequestsComplete().check(report).pass, true);
});

Deno.test("successRateAtLeast compares the share of ok responses", () => {
  assert.equal(successRateAtLeast(0.99).check(reportFixture()).pass, true);
  const strict = successRateAtLeast(0.999).check(reportFixture());
  assert.deepEqual(strict, { pass: false, measured: "99.0% (990/1000)" });
  assert.throws(() => successRateAtLeast(1.5), /expected a share between 0 and 1/);
  // Nothing completed: the share is unknown (null), and the assertion cannot pass.
  const none = reportFixture({ successRate: null });
  none.totals = { ...none.totals, completed: 0, ok: 0, failed: 0, errors: 0 };
  assert.deepEqual(successRateAtLeast(0).check(none), {
    pass: false,
    measured: "n/a (0/0)",
    detail: "no request completed",
  });
});

Deno.test("latencyBelow judges each named statistic and lists those over the bound", () => {
  const pass = latencyBelow({ p99: "50ms", p50: 5 }).check(reportFixture());
  assert.equal(pass.pass, true);
  assert.equal(pass.measured, "p99 = 40.0ms, p50 = 3.00ms");
  const fail = latencyBelow({ "p99.9": "50ms", max: "1s" }).check(reportFixture());
  assert.deepEqual(fail, {
    pass: false,
    measured: "p99.9 = 70.0ms, max = 80.0ms",
    detail: "p99.9 70.0ms is not below 50.0ms",
  });
  assert.equal(latencyBelow({ p99: "40ms" }).check(reportFixture()).pass, false, "strictly below");
});

Deno.test("latencyBelow rejects unknown statistics, bad durations and empty bounds", () => {
  assert.throws(() => latencyBelow({ p42: "1ms" } as never), /unknown statistic "p42"/);
  assert.throws(() => latencyBelow({ p99: "fast" }), /Cannot parse duration "fast"/);
  assert.throws(() => latencyBelow({}), /give at least one bound/);
});

Deno.test("throughputAtLeast compares responses per second: errors are not throughput", () => {
  const clean = reportFixture();
  clean.totals = { ...clean.totals, ok: 1000, failed: 0, errors: 0 };
  assert.deepEqual(throughputAtLeast(400).check(clean), { pass: true, measured: "500.0 req/s" });
  assert.equal(throughputAtLeast(600).check(clean).pass, false);
  // 10 of 1000 ended in an error: 495 responses a second.
  assert.deepEqual(throughputAtLeast(496).check(reportFixture()), {
    pass: false,
    measured: "495.0 req/s (500.0 req/s with the 10 that ended in an error)",
  });
  // A server that resets every connection, fast: no response, no throughput.
  const resets = reportFixture({ requestsPerSecond: 1950.7 });
  resets.totals = { ...resets.totals, ok: 0, failed: 0, errors: 1000 };
  assert.equal(throughputAtLeast(500).check(resets).pass, false);
  assert.match(throughputAtLeast(500).check(resets).measured, /^0\.0 req\/s/);
  assert.throws(() => throughputAtLeast(0), RangeError);
});

Deno.test("judge keeps order and turns a throwing check into a failure with its reason", () => {
  const results = judge(reportFixture(), [
    throughputAtLeast(1),
    {
      name: "custom",
      description: "a custom check",
      check() {
        throw new Error("bad report");
      },
    },
  ]);
  assert.deepEqual(results.map((r) => [r.name, r.pass]), [["throughputAtLeast", true], [
    "custom",
    false,
  ]]);
  assert.equal(results[1].detail, "the check threw: bad report");
});

Deno.test("latencyBelow judges the histogram it names: corrected by default, service or queue on request", () => {
  const summary = (p99: number) => ({
    ...reportFixture().latency,
    max: p99 + 1,
    percentiles: { ...reportFixture().latency.percentiles, p99 },
  });
  // An open model whose sends fell behind: requests were fast once sent, but queued long.
  const open = reportFixture({
    latencyBreakdown: { corrected: summary(500), service: summary(10), queue: summary(490) },
  });
  const bound = { p99: "100ms" } as const;
  assert.deepEqual(latencyBelow(bound).check(open), {
    pass: false,
    measured: "p99 = 500.0ms",
    detail: "p99 500.0ms is not below 100.0ms",
  });
  const service = latencyBelow(bound, { histogram: "service" });
  assert.equal(service.description, "p99 service latency below 100.0ms");
  assert.deepEqual(service.check(open), { pass: true, measured: "p99 = 10.0ms" });
  assert.deepEqual(latencyBelow(bound, { histogram: "queue" }).check(open), {
    pass: false,
    measured: "p99 = 490.0ms",
    detail: "p99 490.0ms is not below 100.0ms",
  });
  // A closed loop has one latency (service = corrected) and no queue.
  const closed = reportFixture({ latencyBreakdown: null });
  assert.deepEqual(latencyBelow(bound, { histogram: "service" }).check(closed), {
    pass: true,
    measured: "p99 = 40.0ms",
  });
  assert.deepEqual(latencyBelow(bound, { histogram: "queue" }).check(closed), {
    pass: false,
    measured: "not measured",
    detail: "queue latency exists only in an open model: give the client fleet a rate",
  });
});

Deno.test("noStallLongerThan is not judged when no progress can be seen: a pass there would be a guess", () => {
  const commandClients = {
    source: "",
    received: null,
    answered: null,
    processes: [],
    stall: null,
  };
  // Only the user's own client, against a server wedge cannot count in: no progress to watch.
  const blind = reportFixture({ clients: [], commandClients });
  assert.deepEqual(noStallLongerThan("2s").check(blind), {
    pass: false,
    measured: "not judged",
    detail: "no progress to watch: every client is your own program and a server it loads is " +
      "one wedge cannot count requests in (received n/a); add a wedge client fleet, or load " +
      "wedge's own servers, for the watchdog to see progress",
  });
  // wedge's servers count the requests: "no stall" is seen, not guessed.
  const counted = reportFixture({
    clients: [],
    commandClients: { ...commandClients, received: 40 },
  });
  assert.deepEqual(noStallLongerThan("2s").check(counted), { pass: true, measured: "no stall" });
  // wedge's own client fleets: their progress is seen.
  assert.equal(noStallLongerThan("2s").check(reportFixture()).pass, true);
});

Deno.test("request assertions judge the user's own clients at the servers, never on wedge's empty totals", () => {
  // hey -n 2000 against wedge's servers: wedge's own totals are all 0; the servers counted 2000.
  const commandClients = { source: "", received: 2000, answered: 2000, processes: [], stall: null };
  const empty = { ...reportFixture().totals, completed: 0, ok: 0, errors: 0, failed: 0, sent: 0 };
  const own = reportFixture({
    clients: [],
    commandClients,
    durationMs: 400,
    totals: { ...empty, planned: null, inFlight: 0 },
    requestsPerSecond: 0,
    successRate: null,
  });
  assert.deepEqual(throughputAtLeast(100).check(own), {
    pass: true,
    measured: "5000.0 req/s answered (your own clients: counted at the servers)",
  });
  assert.equal(throughputAtLeast(6000).check(own).pass, false);
  assert.deepEqual(allRequestsComplete().check(own), {
    pass: true,
    measured: "2000/2000 received requests answered (your own clients: counted at the servers)",
  });
  const held = { ...own, commandClients: { ...commandClients, answered: 1990 } };
  assert.equal(allRequestsComplete().check(held).detail, "10 received and not answered");
  const none = { ...own, commandClients: { ...commandClients, received: 0, answered: 0 } };
  assert.equal(allRequestsComplete().check(none).detail, "no request reached the servers");
  // The statuses are the client's alone: not judged, with what to use instead.
  const rate = successRateAtLeast(0.99).check(own);
  assert.equal(rate.measured, "not judged");
  assert.match(rate.detail!, /clientProcessesSucceed\(\)/);
  // A target wedge cannot count in: not judged, not 0 req/s.
  const blind = { ...own, commandClients: { ...commandClients, received: null, answered: null } };
  assert.equal(throughputAtLeast(100).check(blind).measured, "not judged");
  assert.equal(allRequestsComplete().check(blind).measured, "not judged");
});

Deno.test("allRequestsComplete on the user's own clients fails on what the servers cannot see", () => {
  const commandClients = {
    source: "",
    received: 100,
    answered: 100,
    processes: [clientProcessFixture({ name: "hey[0]", code: 7 })],
    stall: null,
  };
  const own = reportFixture({ clients: [], commandClients, durationMs: 400 });
  const failed = allRequestsComplete().check(own);
  assert.equal(failed.pass, false);
  assert.match(failed.detail!, /1 client process\(es\) did not complete \(hey\[0\]\)/);
  // Drops at full listen queues: the run's in a namespace; host-wide, said but not blamed.
  const ok = { ...commandClients, processes: [clientProcessFixture({ name: "hey[0]" })] };
  const listen = { ...LISTEN, overflows: 12, drops: 12 };
  const inNamespace = reportFixture({
    clients: [],
    commandClients: ok,
    listen: { ...listen, scope: "namespace" },
  });
  assert.match(allRequestsComplete().check(inNamespace).detail!, /12 connects dropped/);
  const hostWide = allRequestsComplete().check(
    reportFixture({ clients: [], commandClients: ok, listen: { ...listen, scope: "host" } }),
  );
  assert.equal(hostWide.pass, true);
  assert.match(hostWide.measured, /12 connects dropped host-wide .* perhaps another program's$/);
  // The load lasted no time: said so, not "cannot count".
  const instant = throughputAtLeast(1).check(
    reportFixture({ clients: [], commandClients: ok, durationMs: 0 }),
  );
  assert.deepEqual([instant.measured, instant.detail], ["not measured", "the load lasted no time"]);
});

Deno.test("rateAchieved says when the server's pace held the schedule back, not the load generator", () => {
  const rate = {
    scheduled: 468,
    sent: 221,
    achieved: 221 / 468,
    targetPerSecond: 200,
    achievedPerSecond: 94.6,
    late: 3,
    lateBusy: 0,
    dropped: 0,
  };
  // A server stalled 2.5 s: 247 due requests never found a free connection; 16 in flight.
  const stalled = reportFixture({ rate });
  stalled.totals = { ...stalled.totals, inFlight: 16 };
  assert.match(
    rateAchieved(0.99).check(stalled).detail!,
    /^247 due requests were never sent and 0 of the 3 late waited: every connection of their client was busy waiting for a response \(16 in flight at the end\): the server's pace/,
  );
  // Most late requests found every connection busy: the same.
  const slow = reportFixture({ rate: { ...rate, sent: 460, late: 534, lateBusy: 530 } });
  slow.totals = { ...slow.totals, inFlight: 0 };
  assert.match(rateAchieved(0.99).check(slow).detail!, /busy waiting for a response/);
  // Nothing waited on a connection: the lanes themselves were late.
  const own = reportFixture({ rate: { ...rate, sent: 460, late: 50, lateBusy: 2 } });
  own.totals = { ...own.totals, inFlight: 0 };
  assert.match(rateAchieved(0.99).check(own).detail!, /the load generator is the limit$/);
});
