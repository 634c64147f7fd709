// The report's formats from a real run: `--json -` (only JSON on stdout, valid by the committed
// report.schema.json) together with `--junit` and `--html`; the JUnit file parsed, counted and
// checked against junit-10.xsd's rules; and `wedge diff` on saved reports, by its exit codes.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../_cli.ts";
import { findAll, junitSchemaProblems, parseXml } from "../_junit_rules.ts";
import { reportFixture } from "../_report_fixture.ts";
import { schemaProblems } from "../_report_schema.ts";

const SCENARIO = "tests/fixtures/cli_node_scenario.ts";

Deno.test("--json - with --junit and --html: JSON alone on stdout, valid by the schema; JUnit and HTML written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wedge-formats-" });
  try {
    const [junit, html] = [join(dir, "junit.xml"), join(dir, "report.html")];
    const r = await runCli([SCENARIO, "--quiet", "--json", "-", "--junit", junit, "--html", html]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout); // nothing but the JSON on stdout
    assert.deepEqual(schemaProblems(report), [], "the real report by report.schema.json");
    assert.match(r.stderr, /PASSED: 2 assertions hold/);
    const root = parseXml(await Deno.readTextFile(junit));
    assert.deepEqual(junitSchemaProblems(root), []);
    const [suite] = findAll(root, "testsuite");
    assert.equal(suite.attributes.name, "cli-node");
    assert.equal(suite.attributes.tests, String(report.assertions.length + 1));
    assert.equal(suite.attributes.failures, "0");
    assert.equal(findAll(suite, "testcase").length, report.assertions.length + 1);
    assert.match(findAll(suite, "system-out")[0].text, /PASSED: 2 assertions hold/);
    assert.match(await Deno.readTextFile(html), /^<!DOCTYPE html>/i);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--junit to a directory that does not exist, or to -, exits 2 at once saying why", async () => {
  const missing = join(await Deno.makeTempDir(), "no", "junit.xml");
  const r = await runCli([SCENARIO, "--set", "mode=long", "--junit", missing]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`--junit ${missing}: cannot write the report there`));
  const dash = await runCli([SCENARIO, "--set", "mode=long", "--junit", "-"]);
  assert.equal(dash.code, 2, dash.stderr);
  assert.match(dash.stderr, /--junit -: give a file path; only --json can write to stdout/);
});

Deno.test("wedge diff exits 1 when a verdict flips to FAIL, 0 the other way, 2 for a file that is not a report", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wedge-diff-" });
  try {
    const verdict = (pass: boolean) => [{
      name: "noStallLongerThan",
      description: "no stall longer than 5.00s",
      pass,
      measured: pass ? "longest stall 1.00s" : "longest stall 9.00s",
    }];
    const files = {
      pass: reportFixture({ assertions: verdict(true), passed: true }),
      fail: reportFixture({ seed: 8, assertions: verdict(false), passed: false }),
      other: { hello: "world" },
    };
    for (const [name, value] of Object.entries(files)) {
      await Deno.writeTextFile(join(dir, `${name}.json`), JSON.stringify(value));
    }
    const html = join(dir, "diff.html");
    const worse = await runCli([
      "diff",
      join(dir, "pass.json"),
      join(dir, "fail.json"),
      "--html",
      html,
    ]);
    assert.equal(worse.code, 1, worse.stderr);
    assert.match(worse.stdout, /! PASS -> FAIL +no stall longer than 5\.00s/);
    assert.match(worse.stdout, /REGRESSED: .*\(exit 1\)/);
    assert.match(await Deno.readTextFile(html), /PASS -&gt; FAIL/);
    const better = await runCli(["diff", join(dir, "fail.json"), join(dir, "pass.json")]);
    assert.equal(better.code, 0, better.stderr);
    assert.match(better.stdout, /FAIL -> PASS .*<- flipped to pass/);
    const bad = await runCli(["diff", join(dir, "pass.json"), join(dir, "other.json")]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /other\.json holds no wedge report .*give a file written by --json/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
