import assert from "node:assert/strict";
import {
  type NumericAxis,
  type Probe,
  type ProbeRun,
  ruledOutFailRate,
  shrink,
  type ShrinkAxis,
  type ShrinkParams,
} from "../../explore/shrink.ts";

function intAxis(name: string, floor = 1): NumericAxis {
  return { kind: "numeric", name, floor, step: 1, read: Number, write: (n) => n };
}

const PASS: ProbeRun = { failed: false, assertion: null };
const STALL: ProbeRun = { failed: true, assertion: "noStallLongerThan" };

/** A probe from a pure verdict, counting its calls. */
function fake(verdict: (p: ShrinkParams) => ProbeRun): Probe & { calls: ShrinkParams[] } {
  const calls: ShrinkParams[] = [];
  const probe = (p: ShrinkParams) => {
    calls.push(p);
    return Promise.resolve(verdict(p));
  };
  return Object.assign(probe, { calls });
}

const AXES: ShrinkAxis[] = [intAxis("nservers"), intAxis("nclients"), intAxis("concurrency")];

Deno.test("shrink finds a threshold in one param and the floor of irrelevant ones", async () => {
  const probe = fake((p) => (Number(p.nservers) >= 7 ? STALL : PASS));
  const result = await shrink(
    { nservers: 40, nclients: 40, concurrency: 128 },
    AXES,
    probe,
    { repeat: 1 },
  );
  assert.equal(result.status, "done");
  assert.equal(result.assertion, "noStallLongerThan");
  assert.deepEqual(result.best, { nservers: 7, nclients: 1, concurrency: 1 });
  // every probe is recorded once: the cache answers repeats
  assert.equal(result.probes.length, probe.calls.length);
  const keys = new Set(probe.calls.map((p) => JSON.stringify(p)));
  assert.equal(keys.size, probe.calls.length);
  assert.ok(probe.calls.length <= 10, `${probe.calls.length} probes`);
});

Deno.test("shrink handles two interacting params (fails iff a * b >= 60)", async () => {
  const probe = fake((p) => (Number(p.a) * Number(p.b) >= 60 ? STALL : PASS));
  const result = await shrink(
    { a: 40, b: 40 },
    [intAxis("a"), intAxis("b")],
    probe,
    { repeat: 1 },
  );
  const { a, b } = result.best as { a: number; b: number };
  assert.ok(a * b >= 60, `best ${a} x ${b} must still fail`);
  // 1-minimal: neither can go one lower
  assert.ok((a - 1) * b < 60 && a * (b - 1) < 60, `best ${a} x ${b} is not 1-minimal`);
});

Deno.test("shrink tries each param again once the others have shrunk (fails iff a >= b)", async () => {
  // a cannot shrink while b is 40; once b is 1, a's next smaller value fails and a bisects to 1
  const probe = fake((p) => (Number(p.a) >= Number(p.b) ? STALL : PASS));
  const result = await shrink({ a: 40, b: 40 }, [intAxis("a"), intAxis("b")], probe, {
    repeat: 1,
  });
  assert.deepEqual(result.best, { a: 1, b: 1 });
});

Deno.test("shrink counts a different failing assertion as a pass", async () => {
  // below 7 servers the run fails too, but on another assertion: it must not be taken
  const probe = fake((p) =>
    Number(p.nservers) >= 7 ? STALL : { failed: true, assertion: "latencyBelow" }
  );
  const result = await shrink({ nservers: 40 }, [intAxis("nservers")], probe, { repeat: 1 });
  assert.deepEqual(result.best, { nservers: 7 });
  const other = result.probes.find((r) => r.params.nservers === 1);
  assert.deepEqual(other?.otherFailures, ["latencyBelow"]);
  assert.equal(other?.failing, false);
});

Deno.test("shrink runs each probe up to repeat times and catches a flaky failure", async () => {
  // at nservers >= 7 only every third run fails: with repeat 1 the search would stop at 40
  let n = 0;
  const probe = fake((p) => (Number(p.nservers) >= 7 && ++n % 3 === 0 ? STALL : PASS));
  const result = await shrink({ nservers: 40 }, [intAxis("nservers")], probe, { repeat: 3 });
  assert.deepEqual(result.best, { nservers: 7 });
  const passing = result.probes.filter((r) => !r.failing);
  assert.ok(passing.every((r) => r.runs === 3), "a pass takes every run");
  assert.ok(result.bestProbe!.sameFailures >= 1);
});

Deno.test("shrink with failRate needs that fraction of runs to fail", async () => {
  // fails 1 run in 3 everywhere above 7, 3 in 3 from 20: fail-rate 0.6 finds 20
  let n = 0;
  const probe = fake((p) => {
    const v = Number(p.nservers);
    if (v >= 20) return STALL;
    return v >= 7 && ++n % 3 === 0 ? STALL : PASS;
  });
  const result = await shrink({ nservers: 40 }, [intAxis("nservers")], probe, {
    repeat: 3,
    failRate: 0.6,
  });
  assert.deepEqual(result.best, { nservers: 20 });
});

Deno.test("shrink stops when its budget ends and returns the best shape so far", async () => {
  const controller = new AbortController();
  const probe = fake((p) => {
    if (probe.calls.length === 6) controller.abort();
    return Number(p.nservers) >= 7 ? STALL : PASS;
  });
  const result = await shrink(
    { nservers: 40, nclients: 40, concurrency: 128 },
    AXES,
    probe,
    { repeat: 1, signal: controller.signal },
  );
  assert.equal(result.status, "stopped");
  assert.equal(probe.calls.length, 6);
  // the 6th probe was cut short: its verdict is not used; the best is the last shape kept
  assert.equal(result.probes.length, 5);
  assert.deepEqual(result.best, result.probes.filter((r) => r.failing).at(-1)?.params);
  assert.deepEqual(result.best, { nservers: 20, nclients: 1, concurrency: 1 });
  assert.equal(result.bestProbe?.failing, true);
});

Deno.test("shrink says when the start passes: nothing to shrink", async () => {
  const probe = fake(() => PASS);
  const result = await shrink({ nservers: 3 }, [intAxis("nservers")], probe, { repeat: 2 });
  assert.equal(result.status, "start-passed");
  assert.equal(result.assertion, null);
  assert.deepEqual(result.best, { nservers: 3 });
  assert.equal(probe.calls.length, 2);
});

Deno.test("shrink bisects a duration in steps and tries a choice's simpler value", async () => {
  const ms: NumericAxis = {
    kind: "numeric",
    name: "wait",
    floor: 0,
    step: 100,
    read: (v) => Number(String(v).replace("ms", "")),
    write: (n) => `${n}ms`,
  };
  const probe = fake((p) =>
    Number(String(p.wait).replace("ms", "")) >= 1234 && p.pool === true ? STALL : PASS
  );
  const result = await shrink(
    { wait: "30000ms", pool: true, mode: "h2" },
    [ms, { kind: "choice", name: "pool", simpler: [false] }, {
      kind: "choice",
      name: "mode",
      simpler: ["h1"],
    }],
    probe,
    { repeat: 1 },
  );
  assert.deepEqual(result.best, { wait: "1300ms", pool: true, mode: "h1" });
});

Deno.test("shrink refuses a repeat below 1 and a fail rate outside (0, 1]", async () => {
  const probe = fake(() => PASS);
  await assert.rejects(() => shrink({}, [], probe, { repeat: 0 }), RangeError);
  await assert.rejects(() => shrink({}, [], probe, { failRate: 1.5 }), RangeError);
});

Deno.test("ruledOutFailRate: 3 passing runs rule out failure rates above 63%", () => {
  assert.equal(ruledOutFailRate(3).toFixed(2), "0.63");
  assert.equal(ruledOutFailRate(10).toFixed(2), "0.26");
});
