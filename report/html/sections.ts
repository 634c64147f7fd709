/**
 * The HTML report's text parts: the headline (outcome and first failing assertion), the
 * assertions with what they measured, the run's facts (params, seed, host settings, the command
 * that replays it), errors by class and the incidents. Pure; every value is escaped.
 *
 * @module
 */

import { formatByteSize } from "../../units/byte_size.ts";
import { formatDuration } from "../../units/duration.ts";
import { replayCommand } from "../replay_command.ts";
import { answeredPerSecond, onlyOwnClients } from "../own_clients.ts";
import type { RunReport } from "../types.ts";
import { escapeHtml as e } from "./escape.ts";

/**
 * The headline: PASSED or FAILED with the first failing assertion and its measured value, the
 * outcome, and the load's figures.
 *
 * @param report The run report.
 * @returns HTML.
 *
 * @example
 * ```ts
 * import { headlineHtml } from "./sections.ts";
 * import { reportFixture } from "../../tests/_report_fixture.ts";
 * import assert from "node:assert/strict";
 *
 * const failed = reportFixture({ passed: false, assertions: [
 *   { name: "latencyBelow", description: "p99 below 5ms", pass: false, measured: "p99 = 40ms" },
 * ] });
 * assert.match(headlineHtml(failed), /FAILED: p99 below 5ms \(measured p99 = 40ms\)/);
 * ```
 */
export function headlineHtml(report: RunReport): string {
  const failing = report.assertions.find((a) => !a.pass);
  const verdict = report.passed
    ? `PASSED: ${report.assertions.length} assertion${
      report.assertions.length === 1 ? "" : "s"
    } hold`
    : failing
    ? `FAILED: ${failing.description} (measured ${failing.measured})`
    : `FAILED (outcome ${report.outcome})`;
  return `<h1>${e(report.scenario.name)}: ${e(report.scenario.description)}</h1>
<div class="headline ${report.passed ? "pass" : "fail"}"><strong>${e(verdict)}</strong><br>
Outcome: <strong>${e(report.outcome)}</strong> (${e(report.outcomeDetail)})<br>
${onlyOwnClients(report) ? ownClientsLine(report) : requestsLine(report)}
Started ${e(report.startedAt)}.</div>`;
}

/** The headline's requests, as wedge's clients saw them. */
function requestsLine(report: RunReport): string {
  const t = report.totals;
  return `${t.completed} completed of ${t.planned ?? t.sent} ${
    t.planned === null ? "sent" : "planned"
  }, ${t.ok} ok, ${t.errors} errors, ${t.inFlight ?? "n/a"} in flight at the end;
${report.requestsPerSecond?.toFixed(1) ?? "n/a"} req/s over ${formatDuration(report.durationMs)};
${latencyLine(report.latency)}.`;
}

/** The headline's requests when the only clients were the user's own: the servers' view. */
function ownClientsLine(report: RunReport): string {
  const { received, answered } = report.commandClients!;
  const rate = answeredPerSecond(report);
  return `Your own clients (server view): ${received ?? "n/a"} received, ${
    answered ?? "n/a"
  } answered by the servers${rate === null ? "" : `, ${rate.toFixed(1)} a second`} over ${
    formatDuration(report.durationMs)
  }; latency n/a (measured only inside the client).`;
}

/** The headline's p99 and slowest, or why there are none. */
function latencyLine(l: RunReport["latency"]): string {
  const { percentiles: { p99 }, max } = l;
  return p99 === null || max === null || l.count === 0 // (older reports wrote 0s)
    ? "latency n/a (no response)"
    : `p99 ${formatDuration(p99)}, slowest ${formatDuration(max)}`;
}

/**
 * The assertions: PASS or FAIL, what each requires, what it measured and why it failed.
 *
 * @param report The run report.
 * @returns HTML (a table, or a line saying there are none).
 *
 * @example
 * ```ts
 * import { assertionsHtml } from "./sections.ts";
 * import assert from "node:assert/strict";
 *
 * const html = assertionsHtml({ assertions: [
 *   { name: "n", description: "<b>", pass: true, measured: "1" },
 * ] });
 * assert.match(html, /<td class="PASS">PASS<\/td><td>&lt;b&gt;<\/td>/);
 * ```
 */
export function assertionsHtml(report: Pick<RunReport, "assertions">): string {
  if (report.assertions.length === 0) return `<p class="note">This scenario has no assertions.</p>`;
  const rows = report.assertions.map((a) => {
    const verdict = a.pass ? "PASS" : "FAIL";
    return `<tr><td class="${verdict}">${verdict}</td><td>${e(a.description)}</td><td>${
      e(a.measured)
    }${a.detail ? `<div class="note">${e(a.detail)}</div>` : ""}</td></tr>`;
  });
  return `<table><tr><th></th><th>requires</th><th>measured</th></tr>\n${rows.join("\n")}</table>`;
}

/**
 * The run's facts: the replay command, seed, params, shape, host settings and the runtime
 * process's peaks.
 *
 * @param report The run report.
 * @returns HTML.
 *
 * @example
 * ```ts
 * import { factsHtml } from "./sections.ts";
 * import { reportFixture } from "../../tests/_report_fixture.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(factsHtml(reportFixture()), /deno task scenario fixture --seed 7 --set n=1/);
 * ```
 */
export function factsHtml(report: RunReport): string {
  const h = report.host;
  const known = (v: unknown) => (v === null || v === undefined ? "n/a" : String(v));
  const rows: [string, string][] = [
    ["seed", String(report.seed)],
    ...Object.entries(report.scenario.params).map((
      [k, v],
    ): [string, string] => [`param ${k}`, JSON.stringify(v) ?? "unset"]),
    ["scenario file", report.scenario.file ?? "(built-in)"],
    [
      "shape",
      `${report.shape.servers} servers, ${report.shape.clients} clients on ${report.shape.workers} worker threads, ${report.shape.concurrency} in flight at most`,
    ],
    ["ephemeral ports", h.ephemeralPorts ? h.ephemeralPorts.join("-") : "n/a"],
    ["tcp_tw_reuse", known(h.tcpTwReuse)],
    ["tcp_fin_timeout", h.tcpFinTimeout === null ? "n/a" : `${h.tcpFinTimeout}s`],
    ["ulimit -n", known(h.openFilesLimit)],
    ["network namespace", h.networkNamespace ? "the run's own" : "the host's"],
    [
      "runtime peak open fds",
      `${known(report.process.peakOpenFds)} (limit ${known(report.process.fdLimit)})`,
    ],
    [
      "runtime peak RSS",
      report.process.peakRssBytes === null ? "n/a" : formatByteSize(report.process.peakRssBytes),
    ],
  ];
  return `<p>Replay this run (from a checkout of wedge):</p>
<pre id="replay">${e(replayCommand(report))}</pre>
<table>${rows.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join("\n")}</table>`;
}

/**
 * Errors by class and message, and the incidents the runtime noticed.
 *
 * @param report The run report.
 * @returns HTML, empty when there were neither.
 *
 * @example
 * ```ts
 * import { errorsHtml } from "./sections.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(errorsHtml({ errors: [], incidents: [] }), "");
 * ```
 */
export function errorsHtml(report: Pick<RunReport, "errors" | "incidents">): string {
  const parts: string[] = [];
  if (report.errors.length) {
    const rows = report.errors.map((x) =>
      `<tr><td class="num">${x.count}</td><td>${e(x.class)}</td><td>${e(x.message)}</td></tr>`
    );
    parts.push(
      `<h3>Errors by class</h3><table><tr><th>count</th><th>class</th><th>message</th></tr>\n${
        rows.join("\n")
      }</table>`,
    );
  }
  if (report.incidents.length) {
    parts.push(
      `<h3>Incidents</h3><ul>${report.incidents.map((i) => `<li>${e(i)}</li>`).join("\n")}</ul>`,
    );
  }
  return parts.join("\n");
}
