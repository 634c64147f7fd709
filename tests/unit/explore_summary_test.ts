import assert from "node:assert/strict";
import type { ExplorePlan } from "../../explore/cells.ts";
import { exploreDocument, exploreText } from "../../explore/document.ts";
import type { CellResult } from "../../explore/run_cell.ts";
import { reportFixture } from "../_report_fixture.ts";

const failing = (name: string) => ({
  name,
  description: name,
  pass: false,
  measured: `${name} measured`,
});

function run(
  index: number,
  seed: number,
  passed: boolean,
  set: Record<string, string> = {},
): CellResult {
  const report = reportFixture({
    passed,
    outcome: passed ? "completed" : "stalled",
    assertions: passed ? [] : [failing("noStallLongerThan"), failing("allRequestsComplete")],
  });
  return {
    cell: { index, set, seed },
    exitCode: passed ? 0 : 1,
    report,
    stderrTail: "",
    wallMs: 5,
    stoppedBy: null,
  };
}

Deno.test("summary of a repeat: passed n of K, Wilson interval, failing seeds with replay commands, exit verdict", () => {
  const plan: ExplorePlan = {
    scenario: "hang-server",
    set: { hangEvery: "5" },
    sweep: [],
    repeat: 5,
    seed: 12,
    sameSeed: false,
  };
  const results = [0, 1, 2, 3, 4].map((i) => run(i, 12 + i, false, { hangEvery: "5" }));
  const doc = exploreDocument(plan, results, { requiredPassRate: null });
  assert.equal(doc.summary.passed, 0);
  assert.deepEqual(doc.summary.failing.map((f) => f.seed), [12, 13, 14, 15, 16]);
  assert.equal(doc.summary.ok, false);
  const text = exploreText(doc);
  assert.match(text, /^Passed 0 of 5 runs; failure rate 100% \(95% interval 56\.6%-100%\)$/m);
  assert.match(text, /^Failing seeds: 12, 13, 14, 15, 16$/m);
  for (let seed = 12; seed <= 16; seed++) {
    assert.match(
      text,
      new RegExp(`^    deno task scenario hang-server --seed ${seed} --set hangEvery=5$`, "m"),
    );
  }
  assert.match(text, /FAILED: 5 of 5 runs failed\n$/);
  assert.doesNotMatch(text, /pass rate/); // no table or grid without --sweep
});

Deno.test("a failing run with the user's own programs says the seed does not replay their choices", () => {
  const plan: ExplorePlan = {
    scenario: "s",
    set: {},
    sweep: [],
    repeat: 2,
    seed: 5,
    sameSeed: false,
  };
  const own = run(1, 6, false);
  own.report!.servers = own.report!.servers.map((s) => ({
    ...s,
    fleet: "py",
    placement: "command",
  }));
  const text = exploreText(
    exploreDocument(plan, [run(0, 5, true), own], { requiredPassRate: null }),
  );
  assert.match(
    text,
    /^ {2}\(a seed replays wedge's own random choices, not those of your own programs \(py\): a replay may not fail the same way\)$/m,
  );
  // wedge's own servers only: a seed replays everything.
  const text2 = exploreText(
    exploreDocument(plan, [run(0, 5, true), run(1, 6, false)], { requiredPassRate: null }),
  );
  assert.doesNotMatch(text2, /your own programs/);
});

Deno.test("summary: --pass-rate decides the verdict; a run without a report fails with its exit code", () => {
  const plan: ExplorePlan = {
    scenario: "s",
    set: {},
    sweep: [],
    repeat: 4,
    seed: 1,
    sameSeed: false,
  };
  const crashed: CellResult = {
    cell: { index: 3, set: {}, seed: 4 },
    exitCode: 3,
    report: null,
    stderrTail: "wedge: the run could not be carried out: boom\n",
    wallMs: 1,
    stoppedBy: null,
  };
  const results = [run(0, 1, true), run(1, 2, true), run(2, 3, true), crashed];
  assert.equal(exploreDocument(plan, results, { requiredPassRate: null }).summary.ok, false);
  const lenient = exploreDocument(plan, results, { requiredPassRate: 0.75 });
  assert.equal(lenient.summary.ok, true);
  assert.match(exploreText(lenient), /PASSED: pass rate 75\.0% meets --pass-rate 75\.0%/);
  assert.equal(
    lenient.summary.failing[0].failure,
    "exit 3: wedge: the run could not be carried out: boom",
  );
  assert.equal(exploreDocument(plan, results, { requiredPassRate: 0.8 }).summary.ok, false);
});

Deno.test("a two-key sweep: a row per cell with its params and first failure, and a 2-D grid of pass rates", () => {
  const sweep = [{ key: "nclients", values: ["5", "10"] }, {
    key: "concurrency",
    values: ["16", "64"],
  }];
  const plan: ExplorePlan = {
    scenario: "hang-mre-ok",
    set: {},
    sweep,
    repeat: 2,
    seed: 1,
    sameSeed: false,
  };
  const points = [["5", "16"], ["5", "64"], ["10", "16"], ["10", "64"]];
  const results = points.flatMap(([n, c], p) =>
    [0, 1].map((r) =>
      run(p * 2 + r, 1 + r, !(n === "10" && c === "64" && r === 1), { nclients: n, concurrency: c })
    )
  );
  const doc = exploreDocument(plan, results, { requiredPassRate: null });
  assert.deepEqual(
    doc.rows.map((r) => `${r.point.nclients}x${r.point.concurrency} ${r.passed}/${r.runs}`),
    [
      "5x16 2/2",
      "5x64 2/2",
      "10x16 2/2",
      "10x64 1/2",
    ],
  );
  assert.equal(doc.rows[3].outcome, "completed 1, stalled 1");
  assert.equal(doc.rows[3].firstFailure, "noStallLongerThan: noStallLongerThan measured");
  const text = exploreText(doc);
  assert.match(text, /^nclients +concurrency +pass +outcome/m);
  assert.match(
    text,
    /^10 +64 +1\/2 +completed 1, stalled 1 .*noStallLongerThan: noStallLongerThan measured$/m,
  );
  assert.match(
    text,
    /^pass rate +concurrency=16 +concurrency=64\nnclients=5 +100% +100%\nnclients=10 +100% +50\.0%$/m,
  );
});

Deno.test("a one-key sweep has a table and no grid", () => {
  const plan: ExplorePlan = {
    scenario: "s",
    set: {},
    sweep: [{ key: "n", values: ["1", "2"] }],
    repeat: 1,
    seed: 1,
    sameSeed: false,
  };
  const text = exploreText(
    exploreDocument(plan, [run(0, 1, true, { n: "1" })], { requiredPassRate: null }),
  );
  assert.match(text, /^2 +0\/0 +not run/m);
  assert.doesNotMatch(text, /pass rate/);
  assert.match(text, /Not run: 1 of 2 cells \(1\)/);
});
