/**
 * Renders a {@linkcode RunReport} as the text summary printed on stdout, in the spirit of oha's:
 * summary, latency histogram and percentiles, status codes, errors, servers, then each assertion.
 * Renders only; computes nothing the report does not hold.
 *
 * @module
 */

import { formatByteSize } from "../units/byte_size.ts";
import { formatDuration } from "../units/duration.ts";
import { ERROR_CLASS_HINTS } from "./error_class.ts";
import type { MemoryReport, RunReport, SocketCensus, StallDiagnosis } from "./types.ts";

/** Options for {@linkcode renderTextReport}. */
export interface TextReportOptions {
  /** Use ANSI colours for PASS/FAIL. @default {false} */
  color?: boolean;
  /** List every server and incident, instead of summaries past 12 servers and 8 incidents. @default {false} */
  allServers?: boolean;
}

/**
 * Renders a stall diagnosis: when progress stopped, where the requests are, what the servers saw,
 * the runtime's resources, and one hint per recognised pattern.
 *
 * @param d The diagnosis.
 * @returns Lines of text, ending with a newline.
 *
 * @example
 * ```ts
 * import { diagnoseStall } from "./stall_diagnosis.ts";
 * import { renderStallDiagnosis } from "./text.ts";
 * import assert from "node:assert/strict";
 *
 * const d = diagnoseStall({
 *   detectedAtMs: 7000, progressStoppedAtMs: 2000, boundMs: 5000,
 *   totals: { completed: 900, inFlight: 8, planned: 1000 },
 *   serverNames: ["hello[0]"], clientNames: ["c[0]"], inFlightByServer: [8],
 *   awaitingHeadersByServer: [8], inFlightByClient: [8],
 *   servers: [{ received: 908, responded: 900, failure: null }], oldest: [],
 *   process: { openFds: 30, fdLimit: 1024, rssBytes: null }, silentWorkers: [],
 *   sockets: null, serverPorts: [8080],
 * });
 * assert.match(renderStallDiagnosis(d), /^STALL: no request completed for 5\.00s/);
 * ```
 */
export function renderStallDiagnosis(d: StallDiagnosis): string {
  const lines: string[] = [];
  lines.push(
    `STALL: no ${d.progress === "responses" ? "response" : "request completed"} for ${
      formatDuration(d.detectedAtMs - d.progressStoppedAtMs)
    } (bound ${formatDuration(d.boundMs)}): progress stopped ${
      formatDuration(d.progressStoppedAtMs)
    } into the load, detected at ${formatDuration(d.detectedAtMs)}`,
  );
  lines.push(
    `  ${d.completed} done, ${
      d.owed === null ? "?" : d.owed
    } owed (in flight or not yet sent), ${d.inFlight} in flight`,
  );
  if (d.servers.length) {
    lines.push("  servers (in flight as the clients see it; received / answered by the server):");
    for (const s of d.servers) {
      const held = s.received !== null && s.responded !== null && s.received > s.responded
        ? ` (${s.received - s.responded} still in its handler)`
        : "";
      lines.push(
        `    ${s.server}: ${s.clientInFlight} in flight; received ${known(s.received)}, answered ${
          known(s.responded)
        }${held}${
          s.connections
            ? `; ${s.connections.accepted} connections accepted, ${s.connections.acceptQueue} in its accept queue`
            : ""
        }${s.failure ? `; STOPPED: ${s.failure}` : ""}`,
      );
    }
  }
  if (d.clients.length) {
    lines.push(
      `  in flight by client: ${d.clients.map((c) => `${c.client} ${c.inFlight}`).join(", ")}`,
    );
  }
  if (d.oldest.length) {
    lines.push("  oldest in flight:");
    for (const r of d.oldest.slice(0, 5)) {
      lines.push(
        `    ${r.client} -> ${r.server}: ${formatDuration(r.ageMs)}, ${r.phase.replace("-", " ")}`,
      );
    }
  }
  if (d.sockets) lines.push(`  sockets: ${renderCensus(d.sockets)}`);
  const p = d.process;
  lines.push(
    `  runtime: ${p.openFds ?? "?"} open fds (limit ${p.fdLimit ?? "?"}), RSS ${
      p.rssBytes === null ? "?" : formatByteSize(p.rssBytes)
    }`,
  );
  if (d.hints.length) {
    lines.push("  hints:");
    for (const hint of d.hints) lines.push(`    - ${hint}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * Renders a socket census on one line: `client ESTABLISHED 64, TIME_WAIT 3000; server ...`.
 *
 * @param c The census.
 * @returns One line.
 *
 * @example
 * ```ts
 * import { renderCensus } from "./text.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   renderCensus({
 *     client: { TIME_WAIT: 3 }, server: {}, timeWait: 3, established: 0, acceptQueue: {}, ports: {},
 *   }),
 *   "client TIME_WAIT 3; server none",
 * );
 * ```
 */
export function renderCensus(c: SocketCensus): string {
  const side = (counts: Record<string, number | undefined>) => {
    const parts = Object.entries(counts).filter(([, n]) => n).map(([state, n]) => `${state} ${n}`);
    return parts.length ? parts.join(", ") : "none";
  };
  const queued = Object.entries(c.acceptQueue).map(([port, n]) => `:${port} ${n}`);
  return `client ${side(c.client)}; server ${side(c.server)}${
    queued.length ? `; accept queue ${queued.join(", ")}` : ""
  }`;
}

/** A count wedge may not know: the number, or "n/a". */
function known(n: number | null): string {
  return n === null ? "n/a" : String(n);
}

function pad(label: string, width = 14): string {
  return (label + ":").padEnd(width);
}

function bar(count: number, max: number, width = 32): string {
  return max === 0 ? "" : "■".repeat(Math.round((count / max) * width));
}

/**
 * Renders the report.
 *
 * @param report The run report.
 * @param options Colour and verbosity.
 * @returns Text for stdout, ending with a newline.
 *
 * @example
 * ```ts
 * import { allRequestsComplete, defineScenario, hello, runScenario } from "../mod.ts";
 * import { renderTextReport } from "./text.ts";
 * import assert from "node:assert/strict";
 *
 * const report = await runScenario(defineScenario({
 *   name: "tiny",
 *   description: "one hello server",
 *   servers: [{ behavior: hello() }],
 *   clients: [{ requests: 10 }],
 *   assert: [allRequestsComplete()],
 * }));
 * assert.match(renderTextReport(report), /PASS every request completes/);
 * ```
 */
export function renderTextReport(report: RunReport, options: TextReportOptions = {}): string {
  const paint = (code: number, text: string) =>
    options.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  const lines: string[] = [];
  const t = report.totals;
  const l = report.latency;
  const seconds = report.durationMs / 1000;
  const params = Object.entries(report.scenario.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");

  lines.push(`${report.scenario.name}: ${report.scenario.description}`);
  if (params) lines.push(`params: ${params}`);
  lines.push(
    `shape: ${report.shape.servers} servers, ${report.shape.clients} clients on ${report.shape.workers} worker threads, ${report.shape.concurrency} requests in flight at most; seed ${report.seed}`,
  );
  lines.push("");
  lines.push("Summary:");
  lines.push(`  ${pad("Success rate")}${successLine(report)}`);
  lines.push(`  ${pad("Total")}${seconds.toFixed(4)} secs`);
  lines.push(`  ${pad("Slowest")}${formatDuration(l.max)}`);
  lines.push(`  ${pad("Fastest")}${formatDuration(l.min)}`);
  lines.push(`  ${pad("Average")}${formatDuration(l.mean)}`);
  lines.push(`  ${pad("Requests/sec")}${report.requestsPerSecond.toFixed(1)}`);
  lines.push(
    `  ${pad("Requests")}${t.completed} completed of ${t.planned ?? t.sent} ${
      t.planned === null ? "sent" : "planned"
    }; ${t.ok} ok, ${t.errors} errors, ${t.inFlight} in flight at the end${
      t.abandoned ? `, ${t.abandoned} abandoned by timeouts without cancel` : ""
    }${t.retried ? `, ${t.retried} retried (pooled connection found closed before writing)` : ""}`,
  );
  lines.push(`  ${pad("Outcome")}${report.outcome} (${report.outcomeDetail})`);
  // An event loop blocked for half a second or more ran nothing meanwhile (eventLoops in JSON).
  for (const e of report.eventLoops ?? []) {
    if (e.maxLagMs === null || e.maxLagAtMs === null || e.maxLagMs < 500) continue;
    lines.push(
      `  ${pad("Blocked loop")}${e.thread} blocked for ${formatDuration(e.maxLagMs)} (${
        e.maxLagAtMs < 0 ? "before the load" : `from ${formatDuration(e.maxLagAtMs)} into the load`
      }${e.blockedAtEndMs !== null ? ", still blocked as the load ended" : ""})`,
    );
  }
  const longest = report.longestStallByProgress.completions;
  if (longest && !report.stall) {
    const bound = report.watchdog?.boundMs ?? null;
    const pause = longest.durationMs;
    lines.push(
      `  ${pad("Longest pause", 15)}${formatDuration(pause)} (from ${
        formatDuration(longest.fromMs)
      } into the load; ${
        bound === null
          ? "no stall bound was set"
          : pause < bound
          ? `no stall: bound ${formatDuration(bound)}`
          : `STALL: bound ${formatDuration(bound)}`
      })`,
    );
  }
  lines.push("");
  lines.push(
    `Throughput: ${report.requestsPerSecond.toFixed(1)} request/s [${t.completed} in ${
      seconds.toFixed(3)
    }s]`,
  );

  if (l.count > 0) {
    lines.push("");
    lines.push("Response time histogram:");
    const max = Math.max(...l.histogram.map((b) => b.count));
    const labels = l.histogram.map((b) => formatDuration(b.le));
    const labelWidth = Math.max(...labels.map((s) => s.length));
    const countWidth = Math.max(...l.histogram.map((b) => String(b.count).length));
    l.histogram.forEach((b, i) => {
      lines.push(
        `  ${labels[i].padStart(labelWidth)} [${String(b.count).padEnd(countWidth)}] |${
          bar(b.count, max)
        }`,
      );
    });
    lines.push("");
    const b = report.latencyBreakdown;
    if (b) {
      // Open model: the three latencies side by side; the histogram above is the corrected one.
      lines.push(
        "Response time distribution (corrected: from the intended send time; service: from the actual send; queue: the wait between):",
      );
      lines.push(
        `  ${"".padStart(6)}  ${"corrected".padStart(10)} ${"service".padStart(10)} ${
          "queue".padStart(10)
        }`,
      );
      for (const key of Object.keys(l.percentiles) as (keyof typeof l.percentiles)[]) {
        lines.push(
          `  ${(key.slice(1) + "%").padStart(6)}  ${
            formatDuration(b.corrected.percentiles[key]).padStart(10)
          } ${formatDuration(b.service.percentiles[key]).padStart(10)} ${
            formatDuration(b.queue.percentiles[key]).padStart(10)
          }`,
        );
      }
    } else {
      lines.push("Response time distribution:");
      for (const [key, value] of Object.entries(l.percentiles)) {
        lines.push(`  ${key.slice(1).padStart(5)}% in ${formatDuration(value)}`);
      }
    }
  }
  if (report.rate) {
    const r = report.rate;
    lines.push("");
    lines.push(
      `Rate: ${r.achievedPerSecond.toFixed(1)}/s sent of ${
        r.targetPerSecond.toFixed(1)
      }/s scheduled (${
        (r.achieved * 100).toFixed(2)
      }%: ${r.sent} of ${r.scheduled}); ${r.late} late (sent 10ms+ after their time), ${r.dropped} dropped (over maxInFlight)`,
    );
  }

  const codes = Object.entries(report.statusCodes).sort((a, b) => b[1] - a[1]);
  if (codes.length) {
    lines.push("");
    lines.push("Status code distribution:");
    for (const [code, count] of codes) lines.push(`  [${code}] ${count} responses`);
  }

  if (report.errors.length) {
    lines.push("");
    lines.push("Error distribution:");
    for (const e of report.errors.slice(0, 10)) {
      lines.push(`  [${e.count}] ${e.class}: ${e.message}`);
    }
    if (report.errors.length > 10) lines.push(`  ... ${report.errors.length - 10} more kinds`);
    const classes = [...new Set(report.errors.map((e) => e.class))];
    for (const cls of classes) lines.push(`  ${cls}: ${ERROR_CLASS_HINTS[cls]}`);
  }

  lines.push("");
  lines.push(
    "Servers (received / answered by the server, n/a where wedge cannot count inside it; completed / in flight as the clients saw it):",
  );
  const servers = report.servers;
  const shown = options.allServers || servers.length <= 12 ? servers : [];
  for (const s of shown) {
    lines.push(
      `  ${s.fleet}[${s.index}] ${s.url} ${s.behavior}: ${known(s.received)} received, ${
        known(s.responded)
      } answered; ${s.completedByClients} completed, ${s.inFlight} in flight${
        s.handlerErrors ? `; ${s.handlerErrors} handler errors (answered 500)` : ""
      }${s.failure ? `; STOPPED: ${s.failure}` : ""}${
        s.streams
          ? `; HTTP/2 streams: ${s.streams.reset} reset by clients, ${s.streams.openAtEnd} open at the end, at most ${s.streams.peakOnOneConnection} on one connection`
          : ""
      }`,
    );
  }
  for (const s of shown) {
    for (const message of s.handlerErrorMessages) lines.push(`    handler error: ${message}`);
  }
  if (shown.length === 0 && servers.length) {
    const completed = servers.map((s) => s.completedByClients);
    const received = servers.flatMap((s) => (s.received === null ? [] : [s.received]));
    const handlerErrors = servers.reduce((sum, s) => sum + (s.handlerErrors ?? 0), 0);
    lines.push(
      `  ${servers.length} servers: completed per server min ${Math.min(...completed)}, max ${
        Math.max(...completed)
      }; received per server ${
        received.length
          ? `min ${Math.min(...received)}, max ${Math.max(...received)}${
            received.length < servers.length ? ` (n/a for ${servers.length - received.length})` : ""
          }`
          : "n/a"
      }${handlerErrors ? `; ${handlerErrors} handler errors` : ""} (--json has each one)`,
    );
    const first = servers.find((s) => s.handlerErrorMessages.length);
    if (first) {
      lines.push(
        `    first handler error (${first.fleet}[${first.index}]): ${
          first.handlerErrorMessages[0]
        }`,
      );
    }
  }
  const completedPerClient = report.clients.map((c) => c.completed);
  lines.push(
    `Clients: ${report.clients.length}, completed per client min ${
      Math.min(...completedPerClient)
    }, max ${Math.max(...completedPerClient)}`,
  );

  const p = report.process;
  lines.push(
    `Runtime process ${p.pid}: peak open fds ${p.peakOpenFds ?? "unknown"} (limit ${
      p.fdLimit ?? "unknown"
    }), peak RSS ${p.peakRssBytes === null ? "unknown" : formatByteSize(p.peakRssBytes)}`,
  );

  for (const sp of report.serverProcesses) {
    lines.push(
      `Server process ${sp.name} (pid ${sp.pid}): ${sp.command}${
        sp.exit
          ? `; ${sp.exit.early ? "EXITED EARLY" : "exited"} with ${
            sp.exit.signal ? `signal ${sp.exit.signal}` : `code ${sp.exit.code}`
          }${sp.exit.early ? ` ${formatDuration(Math.max(0, sp.exit.atMs))} into the load` : ""}`
          : ""
      }`,
    );
    lines.push(`  logs: ${sp.stdoutLog} ${sp.stderrLog}`);
  }
  if (report.memory) lines.push(...renderMemory(report.memory));

  if (report.stall) {
    lines.push("");
    lines.push(renderStallDiagnosis(report.stall).trimEnd());
  }

  const h = report.host;
  lines.push(
    `Host${h.networkNamespace ? " (the run's own network namespace)" : ""}: ephemeral ports ${
      h.ephemeralPorts
        ? `${h.ephemeralPorts[0]}-${h.ephemeralPorts[1]} (${
          h.ephemeralPorts[1] - h.ephemeralPorts[0] + 1
        })`
        : "unknown"
    }, tcp_tw_reuse ${h.tcpTwReuse ?? "unknown"}, tcp_fin_timeout ${
      h.tcpFinTimeout ?? "?"
    }s, ulimit -n ${h.openFilesLimit ?? "unknown"}`,
  );
  if (report.sockets) {
    const k = report.sockets;
    lines.push(
      `Sockets of the run's ports: peak TIME_WAIT ${k.peakTimeWait}, peak ESTABLISHED ${k.peakEstablished}; as the load ended: ${
        renderCensus(k.atEnd)
      }`,
    );
  }

  if (report.listen) {
    const k = report.listen;
    const backlogs = k.listeners.slice(0, 4).map((l) =>
      `${l.server} ${l.backlog === null ? "n/a" : l.backlog}`
    ).join(", ");
    lines.push(
      `Listen queues (${
        k.scope === "namespace" ? "the run's namespace" : "host-wide counters"
      }): ${k.overflows} overflows, ${k.drops} drops during the run; backlog ${backlogs}${
        k.listeners.length > 4 ? ", ..." : ""
      }`,
    );
    for (const hint of k.hints) lines.push(`  - ${hint}`);
  }

  if (report.incidents.length) {
    lines.push("");
    lines.push("Incidents:");
    const shownIncidents = options.allServers ? report.incidents : report.incidents.slice(0, 8);
    for (const incident of shownIncidents) lines.push(`  ${incident}`);
    if (shownIncidents.length < report.incidents.length) {
      lines.push(
        `  ... ${
          report.incidents.length - shownIncidents.length
        } more (--all-servers or --json shows every one)`,
      );
    }
  }

  lines.push("");
  lines.push("Assertions:");
  if (report.assertions.length === 0) lines.push("  (none)");
  for (const a of report.assertions) {
    const mark = a.pass ? paint(32, "PASS") : paint(31, "FAIL");
    lines.push(`  ${mark} ${a.description}: ${a.measured}`);
    if (a.detail) lines.push(...a.detail.split("\n").map((line) => `       ${line}`));
  }
  const failed = report.assertions.filter((a) => !a.pass).length;
  lines.push("");
  lines.push(
    report.outcome === "aborted"
      // Assertions judged on part of a run are no verdict on the scenario.
      ? paint(
        31,
        `ABORTED (${report.outcomeDetail}): ${
          report.passed
            ? `${report.assertions.length} assertions hold`
            : `${failed} of ${report.assertions.length} assertions failed`
        } on the part that ran`,
      )
      : report.passed
      ? paint(32, `PASSED: ${report.assertions.length} assertions hold`)
      : paint(31, `FAILED: ${failed} of ${report.assertions.length} assertions failed`),
  );
  return lines.join("\n") + "\n";
}

/** Peak memory per process; with repeated loads, the reading after each one (seed 002's table). */
function renderMemory(memory: MemoryReport): string[] {
  const lines: string[] = [];
  const peaks = memory.processes.map((p) =>
    `${p.name} ${p.peakRssBytes === null ? "unknown" : formatByteSize(p.peakRssBytes)}`
  );
  lines.push(`Peak RSS (VmHWM): ${peaks.join(", ")}`);
  if (!memory.rounds || memory.checkpoints.length === 0) return lines;
  const { warmup, iterations, settleMs } = memory.rounds;
  lines.push("");
  lines.push(
    `Memory (VmRSS, read ${
      formatDuration(settleMs)
    } after each load; ${warmup} warm-up, ${iterations} measured; change from the previous reading):`,
  );
  const names = memory.processes.map((p) => p.name);
  const width = Math.max(24, ...names.map((n) => n.length + 2));
  lines.push(
    `  ${"after".padEnd(14)}${"requests".padStart(10)}  ${
      names.map((n) => n.padEnd(width)).join("")
    }`,
  );
  memory.checkpoints.forEach((c, i) => {
    const label = c.round === 0
      ? "start"
      : c.round <= warmup
      ? `warm-up ${c.round}`
      : `iteration ${c.round - warmup}`;
    const cells = c.rssBytes.map((b, p) => {
      const before = i > 0 ? memory.checkpoints[i - 1].rssBytes[p] : null;
      const value = b === null ? "gone" : formatByteSize(b);
      const delta = b !== null && before !== null
        ? ` (${b - before >= 0 ? "+" : ""}${formatByteSize(b - before)})`
        : "";
      return (value + delta).padEnd(width);
    });
    lines.push(
      `  ${(label + (c.round === warmup ? " *" : "")).padEnd(14)}${
        String(c.completed).padStart(10)
      }  ${cells.join("")}`,
    );
  });
  lines.push("  (* the baseline the verdict measures from)");
  lines.push(...renderRuntimeMemory(memory));
  return lines;
}

/** What the runtime's RSS is made of after the last load, and whether a verdict reads it. */
function renderRuntimeMemory(memory: MemoryReport): string[] {
  const base = memory.checkpoints.find((c) => c.round === memory.rounds?.warmup)?.runtime;
  const last = memory.checkpoints.at(-1)?.runtime;
  if (!last) return [];
  const size = (b: number | null) => b === null ? "n/a" : formatByteSize(b);
  const growth = base ? `${size(base.rssBytes)} at the baseline, ` : "";
  return [
    `  runtime = wedge itself (its client engines), ${
      memory.runtimeJudged ? 'judged by an of: "runtime" verdict' : "not judged by the verdict"
    }: RSS ${growth}${size(last.rssBytes)} now:`,
    `    client worker heaps ${size(last.workerHeapBytes)} (${last.workers}), main heap ${
      size(last.mainHeapBytes)
    }, ArrayBuffers ${size(last.externalBytes)}, code ${size(last.fileBytes)}, other ${
      size(last.otherBytes)
    } (allocator, HTTP buffers)`,
  ];
}

/**
 * The headline's success rate. A run that did not finish (stalled, time limit, aborted, a server
 * exited) never headlines the share of completed requests alone: it says how it ended and the
 * share of the planned requests that were answered ok.
 */
function successLine(report: RunReport): string {
  const t = report.totals;
  const rate = `${(report.successRate * 100).toFixed(2)}%`;
  if (report.outcome === "completed") return rate;
  const ended = report.outcome.toUpperCase();
  if (t.planned === null || t.planned === 0) {
    return `${rate} of the ${t.completed} completed (${ended}: ${t.inFlight} in flight never completed)`;
  }
  return `${
    ((t.ok / t.planned) * 100).toFixed(2)
  }% of the ${t.planned} planned requests ok (${ended}; ${rate} of the ${t.completed} completed)`;
}
