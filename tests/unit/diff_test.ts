// report/diff.ts and its text: two fixture reports, one passing and one failing, compared.
import assert from "node:assert/strict";
import { diffReports } from "../../report/diff.ts";
import { reportsIn } from "../../report/diff_input.ts";
import { judgeNoise } from "../../report/diff_figures.ts";
import { renderDiff } from "../../report/text/diff.ts";
import type { AssertionResult, RunReport } from "../../report/types.ts";
import { reportFixture } from "../_report_fixture.ts";

const STALL = "no stall longer than 5.00s";
const DONE = "every request completes with a response";

function run(seed: number, overrides: Partial<RunReport> = {}, stallPass = true): RunReport {
  const assertions: AssertionResult[] = [
    {
      name: "noStallLongerThan",
      description: STALL,
      pass: stallPass,
      measured: stallPass ? "longest stall 958ms" : "longest stall 9.00s",
    },
    {
      name: "allRequestsComplete",
      description: DONE,
      pass: true,
      measured: "1000/1000 got a response",
    },
  ];
  return reportFixture({ seed, assertions, passed: stallPass, ...overrides });
}

const PASSING = run(1, {
  scenario: { name: "fixture", description: "", file: null, params: { n: 1 } },
});
const FAILING = run(2, {
  scenario: { name: "fixture", description: "", file: null, params: { n: 1, pool: 0 } },
  requestsPerSecond: 400, // 500 in the fixture: 0.80x, beyond the 10% default
  outcome: "stalled",
  outcomeDetail: "no progress for 5s",
  errors: [
    { class: "connection_refused", message: "refused", count: 10 },
    { class: "timeout", message: "timed out", count: 30 },
  ],
}, false);

Deno.test("diff flags the verdict that flipped to FAIL, the worse outcome, and regresses", () => {
  const diff = diffReports([PASSING], [FAILING]);
  const stall = diff.verdicts.find((v) => v.description === STALL)!;
  assert.equal(stall.change, "flipped-to-fail");
  assert.deepEqual([stall.a, stall.b], [1, 0]);
  assert.equal(diff.verdicts.find((v) => v.description === DONE)!.change, "same");
  assert.deepEqual(diff.outcome, { a: "completed", b: "stalled", worse: true, better: false });
  assert.deepEqual(diff.params, [{ key: "pool", a: null, b: "0" }]);
  assert.equal(diff.regressed, true);
});

Deno.test("the same comparison the other way round is an improvement: no regression", () => {
  const diff = diffReports([FAILING], [PASSING]);
  assert.equal(diff.verdicts.find((v) => v.description === STALL)!.change, "flipped-to-pass");
  assert.equal(diff.outcome.better, true);
  assert.equal(diff.regressed, false);
});

Deno.test("figures carry B/A and are flagged beyond the default noise only", () => {
  const diff = diffReports([PASSING], [FAILING]);
  const rps = diff.figures.find((f) => f.key === "requestsPerSecond")!;
  assert.equal(rps.ratio, 0.8);
  assert.equal(rps.flag, "worse");
  assert.equal(rps.noise?.basis, "default");
  const timeouts = diff.figures.find((f) => f.key === "errors.timeout")!;
  assert.deepEqual([timeouts.a, timeouts.b, timeouts.ratio, timeouts.flag], [
    0,
    30,
    Infinity,
    "worse",
  ]);
  const refused = diff.figures.find((f) => f.key === "errors.connection_refused")!;
  assert.deepEqual([refused.ratio, refused.flag], [1, null]);
  const p99 = diff.figures.find((f) => f.key === "latency.p99")!;
  assert.deepEqual([p99.ratio, p99.flag], [1, null]);
  // Unknown is n/a, never 0: no h2 servers, no streams figure.
  const streams = diff.figures.find((f) => f.key === "streams.peak")!;
  assert.deepEqual([streams.a, streams.b, streams.ratio, streams.flag], [null, null, null, null]);
});

Deno.test("with repeats, noise is the runs' spread: the same change within it is not flagged", () => {
  const a = [
    run(1, { requestsPerSecond: 500 }),
    run(2, { requestsPerSecond: 300 }),
    run(3, { requestsPerSecond: 700 }),
  ];
  const b = [
    run(4, { requestsPerSecond: 400 }),
    run(5, { requestsPerSecond: 250 }),
    run(6, { requestsPerSecond: 550 }),
  ];
  const rps = diffReports(a, b).figures.find((f) => f.key === "requestsPerSecond")!;
  assert.equal(rps.noise?.basis, "repeats");
  assert.equal(rps.flag, null);
  assert.equal(judgeNoise([500, 505, 495], [400, 405, 395], { kind: "rate" })?.beyond, true);
});

Deno.test("a verdict that passes in fewer of the repeats is worse", () => {
  const diff = diffReports([run(1), run(2)], [run(3), run(4, {}, false)]);
  assert.equal(diff.verdicts.find((v) => v.description === STALL)!.change, "worse");
  assert.equal(diff.regressed, true);
  assert.match(renderDiff(diff), /! 2\/2 pass -> 1\/2 pass/);
});

Deno.test("the text shows the flip, the outcome, ratios, the noise rule and the exit code", () => {
  const text = renderDiff(diffReports([PASSING], [FAILING]), { labels: ["a.json", "b.json"] });
  assert.match(
    text,
    /^A: a\.json \(fixture, 1 run, seed 1\)\nB: b\.json \(fixture, 1 run, seed 2\)/,
  );
  assert.match(text, /pool: A \(none\), B 0/);
  assert.match(text, /! Outcome: A completed, B stalled {2}<- worse/);
  assert.match(
    text,
    /! PASS -> FAIL +no stall longer than 5\.00s: A longest stall 958ms; B longest stall 9\.00s {2}<- flipped to fail/,
  );
  assert.match(text, /! req\/s +500\.0 +400\.0 +0\.80x {2}worse/);
  assert.match(text, /errors: timeout +0 +30 +new {2}worse/);
  assert.match(text, /10% for rates/);
  assert.match(
    text,
    /REGRESSED: 1 assertion\(s\) got worse, the outcome got worse \(stalled\); \d+ figures? worse beyond noise \(exit 1\)\n$/,
  );
});

Deno.test("an assertion whose bound changed with a param is matched by name and shows both", () => {
  const bound = (description: string, pass: boolean): Partial<RunReport> => ({
    assertions: [{ name: "latencyBelow", description, pass, measured: "p99 = 40ms" }],
    passed: pass,
  });
  const diff = diffReports([run(1, bound("p99 below 50ms", true))], [
    run(2, bound("p99 below 20ms", false)),
  ]);
  assert.equal(diff.verdicts.length, 1);
  assert.deepEqual(
    [diff.verdicts[0].description, diff.verdicts[0].descriptionB, diff.verdicts[0].change],
    ["p99 below 50ms", "p99 below 20ms", "flipped-to-fail"],
  );
  assert.match(renderDiff(diff), /PASS -> FAIL +p99 below 50ms \(B: p99 below 20ms\)/);
});

Deno.test("reportsIn takes a report, an array, or a document holding reports of one shape", () => {
  assert.equal(reportsIn(PASSING).length, 1);
  assert.equal(reportsIn([PASSING, run(3)]).length, 2);
  assert.equal(
    reportsIn({ summary: {}, runs: [{ report: PASSING }, { report: run(3) }] }).length,
    2,
  );
  assert.throws(() => reportsIn([PASSING, FAILING]), /2 different shapes/);
  assert.throws(
    () => reportsIn({ ...PASSING, version: 2 }),
    /version 2; this wedge reads version 1/,
  );
});
