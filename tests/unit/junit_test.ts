// report/junit.ts: JUnit XML parsed with fast-xml-parser, counted, checked against the rules of
// Jenkins' junit-10.xsd (tests/_junit_rules.ts), and escaped so any text survives the round trip.
import assert from "node:assert/strict";
import { renderJUnit } from "../../report/junit.ts";
import { replayCommand } from "../../report/replay_command.ts";
import type { RunReport } from "../../report/types.ts";
import { findAll, junitSchemaProblems, parseXml } from "../_junit_rules.ts";
import { reportFixture } from "../_report_fixture.ts";

const NASTY = `a <b> & "c" 'd' ]]> \x01\x1b[31m tab\there\nline two`;

function failing(overrides: Partial<RunReport> = {}): RunReport {
  return reportFixture({
    scenario: { name: "hang-mre", description: "d", file: null, params: { nclients: 40 } },
    seed: 1234,
    assertions: [
      {
        name: "allRequestsComplete",
        description: "every request completes",
        pass: true,
        measured: "1000/1000",
      },
      {
        name: "latencyBelow",
        description: "p99 latency below 5ms",
        pass: false,
        measured: "p99 = 40ms",
        detail: "slowest 80ms",
      },
      {
        name: "noStallLongerThan",
        description: "no stall longer than 5s",
        pass: false,
        measured: "longest stall 9s",
      },
    ],
    passed: false,
    ...overrides,
  });
}

Deno.test("one testsuite per report, one testcase per assertion plus the outcome, failures counted", () => {
  const root = parseXml(renderJUnit([failing(), reportFixture()]));
  assert.equal(root.name, "testsuites");
  const suites = findAll(root, "testsuite");
  assert.equal(suites.length, 2);
  assert.deepEqual(
    suites.map((
      s,
    ) => [s.attributes.name, s.attributes.tests, s.attributes.failures, s.attributes.errors]),
    [["hang-mre", "4", "2", "0"], ["fixture", "1", "0", "0"]],
  );
  assert.deepEqual(
    [root.attributes.tests, root.attributes.failures, root.attributes.errors],
    ["5", "2", "0"],
  );
  const cases = findAll(suites[0], "testcase");
  assert.equal(cases.length, 4);
  assert.ok(cases.every((c) => c.attributes.classname === "hang-mre"));
  assert.equal(findAll(suites[0], "failure").length, 2);
  assert.equal(suites[0].attributes.time, "2.000");
  assert.equal(suites[0].attributes.timestamp, "2026-11-23T00:00:00.000Z");
});

Deno.test("a failure carries the measured value, the seed and the replay command", () => {
  const report = failing();
  const [failure] = findAll(parseXml(renderJUnit([report])), "failure");
  assert.equal(failure.attributes.message, "p99 = 40ms");
  assert.equal(failure.attributes.type, "latencyBelow");
  assert.match(failure.text, /p99 latency below 5ms: p99 = 40ms\nslowest 80ms\nseed: 1234\n/);
  assert.ok(failure.text.includes(`replay: ${replayCommand(report)}`), failure.text);
});

Deno.test("a stalled, aborted or server-exited run is an error test case; completed is not", () => {
  for (const outcome of ["stalled", "aborted", "server-exited"] as const) {
    const root = parseXml(renderJUnit([failing({ outcome, outcomeDetail: "no progress for 5s" })]));
    const [error] = findAll(root, "error");
    assert.equal(error?.attributes.type, outcome, outcome);
    assert.equal(error.attributes.message, `${outcome}: no progress for 5s`);
    assert.match(error.text, /seed: 1234\nreplay: deno task scenario hang-mre --seed 1234/);
    assert.equal(findAll(root, "testsuite")[0].attributes.errors, "1");
  }
  for (const outcome of ["completed", "time-limit"] as const) {
    assert.equal(findAll(parseXml(renderJUnit([failing({ outcome })])), "error").length, 0);
  }
});

Deno.test("properties hold the params, the seed, the outcome and the replay command; system-out the text report", () => {
  const root = parseXml(renderJUnit([failing()]));
  const properties = Object.fromEntries(
    findAll(root, "property").map((p) => [p.attributes.name, p.attributes.value]),
  );
  assert.equal(properties["param.nclients"], "40");
  assert.equal(properties.seed, "1234");
  assert.equal(properties.outcome, "completed");
  assert.match(properties.replay, /^deno task scenario hang-mre --seed 1234 --set nclients=40$/);
  assert.match(findAll(root, "system-out")[0].text, /FAIL p99 latency below 5ms: p99 = 40ms/);
});

Deno.test("the document keeps the structure rules of Jenkins' junit-10.xsd", () => {
  const reports = [failing(), failing({ outcome: "stalled" }), reportFixture()];
  assert.deepEqual(junitSchemaProblems(parseXml(renderJUnit(reports))), []);
});

Deno.test("the rules catch what junit-10.xsd refuses", () => {
  const bad = parseXml(
    `<testsuites><testsuite name="x" tests="1" failures="0" time="1s"><testcase status="x"/><oops/></testsuite></testsuites>`,
  );
  const problems = junitSchemaProblems(bad).join("\n");
  assert.match(problems, /attribute "errors" missing/);
  assert.match(problems, /time "1s" not SUREFIRE_TIME/);
  assert.match(problems, /attribute "status" not allowed/);
  assert.match(problems, /<oops> not allowed in <testsuite>/);
});

Deno.test("markup, quotes, control characters and line breaks in any text survive as text", () => {
  const report = failing({
    scenario: { name: NASTY, description: NASTY, file: null, params: { [NASTY]: NASTY } },
    outcome: "stalled",
    outcomeDetail: NASTY,
    assertions: [{ name: NASTY, description: NASTY, pass: false, measured: NASTY, detail: NASTY }],
  });
  const root = parseXml(renderJUnit([report]));
  assert.deepEqual(junitSchemaProblems(root), []);
  // XML 1.0 cannot hold \x01 or \x1b: each becomes U+FFFD; everything else comes back as written.
  const kept = NASTY.replace("\x01\x1b", "\uFFFD\uFFFD");
  assert.equal(findAll(root, "testsuite")[0].attributes.name, kept);
  const [failure] = findAll(root, "failure");
  assert.equal(failure.attributes.message, kept);
  assert.ok(failure.text.startsWith(`${kept}: ${kept}\n${kept}\n`), failure.text);
  assert.equal(findAll(root, "error")[0].attributes.message, `stalled: ${kept}`);
  const property = findAll(root, "property").find((p) => p.attributes.name === `param.${kept}`);
  assert.equal(property?.attributes.value, kept);
});
