/**
 * Renders run reports as JUnit XML, the format CI servers (Jenkins, GitHub's test reporters,
 * GitLab) read: one `<testsuite>` per run of a scenario, one `<testcase>` per assertion, a
 * `<failure>` with the measured value, the seed and the replay command, and the run's outcome as
 * a test case of its own that is an `<error>` when the run stalled, was aborted or lost a server.
 * Renders only: computes nothing the report does not hold.
 *
 * @module
 */

import { replayCommand } from "./replay_command.ts";
import { renderTextReport } from "./text.ts";
import { type AssertionResult, INCOMPLETE_OUTCOMES, type RunReport } from "./types.ts";

/** Outcomes that mean the run did not carry out its load: an `<error>` test case. */

/**
 * Renders reports as one JUnit XML document: `<testsuites>` holding one `<testsuite>` per report.
 *
 * @param reports The run reports (one per run; several for repeated runs or a sweep).
 * @returns The XML document, UTF-8, ending with a newline.
 *
 * @example Write a saved report as JUnit XML
 * ```ts ignore
 * import { renderJUnit } from "./junit.ts";
 *
 * const report = JSON.parse(await Deno.readTextFile("report.json"));
 * await Deno.writeTextFile("junit.xml", renderJUnit([report]));
 * // <testsuites ...><testsuite name="hang-mre" tests="4" failures="1" errors="0" ...>
 * ```
 */
export function renderJUnit(reports: readonly RunReport[]): string {
  const suites = reports.map(renderSuite);
  const count = (f: (r: RunReport) => number) => reports.reduce((sum, r) => sum + f(r), 0);
  const attributes = attrs({
    name: "wedge",
    tests: count((r) => r.assertions.length + 1),
    failures: count((r) => r.assertions.filter((a) => !a.pass).length),
    errors: count((r) => INCOMPLETE_OUTCOMES.includes(r.outcome) ? 1 : 0),
    time: seconds(count((r) => r.durationMs)),
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attributes}>\n${
    suites.join("")
  }</testsuites>\n`;
}

/** One report's `<testsuite>`: its properties, the outcome test case, each assertion, the text. */
function renderSuite(report: RunReport): string {
  const name = report.scenario.name;
  const failures = report.assertions.filter((a) => !a.pass).length;
  const errored = INCOMPLETE_OUTCOMES.includes(report.outcome);
  const head = attrs({
    name,
    tests: report.assertions.length + 1,
    failures,
    errors: errored ? 1 : 0,
    skipped: 0,
    time: seconds(report.durationMs),
    timestamp: report.startedAt,
    file: report.scenario.file ?? undefined,
  });
  const cases = [
    renderOutcomeCase(report),
    ...report.assertions.map((a) => renderAssertionCase(a, report)),
  ];
  const text = renderTextReport(report, { allServers: true });
  return `  <testsuite${head}>\n${renderProperties(report)}${cases.join("")}` +
    `    <system-out>${escapeText(text)}</system-out>\n  </testsuite>\n`;
}

/** The scenario's params (`param.NAME`), the seed, the outcome and the replay command. */
function renderProperties(report: RunReport): string {
  const entries: [string, string][] = [
    ...Object.entries(report.scenario.params).map(([k, v]): [string, string] => [
      `param.${k}`,
      typeof v === "string" ? v : JSON.stringify(v) ?? "undefined",
    ]),
    ["seed", String(report.seed)],
    ["outcome", report.outcome],
    ["replay", replayCommand(report)],
  ];
  const lines = entries.map(([name, value]) => `      <property${attrs({ name, value })}/>\n`);
  return `    <properties>\n${lines.join("")}    </properties>\n`;
}

/** The outcome as a test case: passes when the load ran to its end, an `<error>` otherwise. */
function renderOutcomeCase(report: RunReport): string {
  const head = attrs({
    name: "the run carries out its load (outcome)",
    classname: report.scenario.name,
    time: seconds(report.durationMs),
  });
  if (!INCOMPLETE_OUTCOMES.includes(report.outcome)) return `    <testcase${head}/>\n`;
  const message = `${report.outcome}: ${report.outcomeDetail}`;
  const body = [message, ...replayLines(report)].join("\n");
  return `    <testcase${head}>\n      <error${attrs({ type: report.outcome, message })}>${
    escapeText(body)
  }</error>\n    </testcase>\n`;
}

/** An assertion as a test case; a failed one carries a `<failure>`. */
function renderAssertionCase(assertion: AssertionResult, report: RunReport): string {
  const head = attrs({ name: assertion.description, classname: report.scenario.name });
  if (assertion.pass) return `    <testcase${head}/>\n`;
  const body = [
    `${assertion.description}: ${assertion.measured}`,
    ...(assertion.detail ? [assertion.detail] : []),
    ...replayLines(report),
  ].join("\n");
  const failure = attrs({ type: assertion.name, message: assertion.measured });
  return `    <testcase${head}>\n      <failure${failure}>${
    escapeText(body)
  }</failure>\n    </testcase>\n`;
}

/** The seed and the command that replays the run. */
function replayLines(report: RunReport): string[] {
  return [`seed: ${report.seed}`, `replay: ${replayCommand(report)}`];
}

/** Milliseconds as JUnit's seconds (digits and a decimal point, as Surefire writes them). */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** Attributes, each escaped; undefined ones left out. */
function attrs(values: Record<string, string | number | undefined>): string {
  return Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttribute(String(v))}"`)
    .join("");
}

/**
 * Text as XML 1.0 character data: `&`, `<`, `>` escaped, and characters XML 1.0 cannot hold
 * (control characters other than tab, newline and carriage return; lone surrogates) replaced
 * by U+FFFD.
 */
function escapeText(text: string): string {
  return text
    // deno-lint-ignore no-control-regex -- the control characters XML 1.0 cannot hold
    .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|\p{Cs}/gu, "\uFFFD")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

/** Text as an attribute value: escaped, quotes too, and line breaks kept as character references. */
function escapeAttribute(text: string): string {
  return escapeText(text)
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;")
    .replaceAll("\t", "&#9;")
    .replaceAll("\n", "&#10;")
    .replaceAll("\r", "&#13;");
}
