/**
 * Assertions on the requests themselves: all complete, enough succeed, enough per second, and an
 * open model sends the rate it scheduled.
 *
 * @module
 */

import { clientCompleted } from "../report/client_process_end.ts";
import { answeredPerSecond, onlyOwnClients } from "../report/own_clients.ts";
import type { RateReport, RunReport } from "../report/types.ts";
import type { Assertion, AssertionOutcome } from "./assertion.ts";

/** Said of every figure judged at the servers for a run whose only clients are the user's own. */
const AT_THE_SERVERS = "your own clients: counted at the servers";

/** Not judged: the run's only clients are the user's own, and a target server cannot count. */
function uncountable(): AssertionOutcome {
  return {
    pass: false,
    measured: "not judged",
    detail: "every client is your own program and a server it loads is one wedge cannot count " +
      "requests in (n/a): add a wedge client fleet, or load wedge's own servers",
  };
}

/** allRequestsComplete for the user's own clients: every request the servers received answered. */
function allAnsweredAtServers(report: RunReport): AssertionOutcome {
  const { received, answered } = report.commandClients!;
  if (received === null || answered === null) return uncountable();
  const dropped = droppedConnects(report);
  const measured = `${answered}/${received} received requests answered (${AT_THE_SERVERS})${
    dropped.scope === "host"
      ? `; ${dropped.count} connects dropped host-wide at full listen queues, perhaps another program's`
      : ""
  }`;
  const problems: string[] = [];
  if (received === 0) problems.push("no request reached the servers");
  if (answered < received) problems.push(`${received - answered} received and not answered`);
  // What never reached a server is not counted there: a client that failed, dropped connects.
  const failed = report.commandClients!.processes.filter((p) => !clientCompleted(p));
  if (failed.length) {
    problems.push(
      `${failed.length} client process(es) did not complete (${
        failed.map((p) => p.name).join(", ")
      }): requests they lost before a server are not seen`,
    );
  }
  if (dropped.scope === "namespace") {
    problems.push(`${dropped.count} connects dropped at full listen queues: never received`);
  }
  if (report.outcome !== "completed") problems.push(report.outcomeDetail);
  return problems.length === 0
    ? { pass: true, measured }
    : { pass: false, measured, detail: problems.join("; ") };
}

/** Connects dropped at full listen queues during the run, and how sure they are the run's. */
function droppedConnects(report: RunReport): { count: number; scope: "namespace" | "host" | null } {
  const count = report.listen === null ? 0 : Math.max(report.listen.overflows, report.listen.drops);
  return { count, scope: count > 0 ? report.listen!.scope : null };
}

/**
 * Every planned request ended with a response (no errors, none left in flight or unsent), and the
 * run was not cut short by its time limit. In duration mode: nothing left in flight or erroring.
 *
 * @returns The assertion.
 *
 * @example
 * ```ts
 * import { allRequestsComplete } from "./requests.ts";
 *
 * const assert = [allRequestsComplete()];
 * ```
 */
export function allRequestsComplete(): Assertion {
  return {
    name: "allRequestsComplete",
    description: "every request completes with a response",
    check(report) {
      if (onlyOwnClients(report)) return allAnsweredAtServers(report);
      const t = report.totals;
      const responses = t.completed - t.errors;
      const owed = t.planned === null ? t.sent : t.planned;
      const measured = `${responses}/${owed} got a response`;
      const problems: string[] = [];
      if (t.planned !== null && t.sent < t.planned) {
        problems.push(`${t.planned - t.sent} never sent`);
      }
      if ((t.inFlight ?? 0) > 0) problems.push(`${t.inFlight} still in flight at the end`);
      if (t.inFlight === null) {
        problems.push("in flight at the end unknown (a client worker posted no final count)");
      }
      if (t.errors > 0) problems.push(`${t.errors} ended in an error`);
      if (report.outcome !== "completed") problems.push(report.outcomeDetail);
      return problems.length === 0
        ? { pass: true, measured }
        : { pass: false, measured, detail: problems.join("; ") };
    },
  };
}

/**
 * At least this share of completed requests got a status below 400.
 *
 * @param rate A share between 0 and 1, e.g. `0.999`.
 * @returns The assertion.
 * @throws {RangeError} If `rate` is not within [0, 1].
 *
 * @example
 * ```ts
 * import { successRateAtLeast } from "./requests.ts";
 *
 * const assert = [successRateAtLeast(0.999)];
 * ```
 */
export function successRateAtLeast(rate: number): Assertion {
  if (!(rate >= 0 && rate <= 1)) {
    throw new RangeError(`successRateAtLeast(${rate}): expected a share between 0 and 1`);
  }
  return {
    name: "successRateAtLeast",
    description: `success rate at least ${formatPercent(rate)}`,
    check(report) {
      if (onlyOwnClients(report)) {
        return {
          pass: false,
          measured: "not judged",
          detail: "every client is your own program: the statuses it got are seen only by it; " +
            "judge its exit with clientProcessesSucceed(), or add a wedge client fleet",
        };
      }
      const share = report.successRate;
      const measured = `${
        share === null ? "n/a" : formatPercent(share)
      } (${report.totals.ok}/${report.totals.completed})`;
      if (report.totals.completed === 0 || share === null) {
        return { pass: false, measured, detail: "no request completed" };
      }
      return { pass: share >= rate, measured };
    },
  };
}

/**
 * Responses per second over the load phase reach at least `rps`: requests that ended in an error
 * (a reset, a refused connection, a timeout) are not throughput, so a server that resets every
 * connection fails it however fast it does so.
 *
 * @param rps Requests per second.
 * @returns The assertion.
 * @throws {RangeError} If `rps` is not a positive number.
 *
 * @example
 * ```ts
 * import { throughputAtLeast } from "./requests.ts";
 *
 * const assert = [throughputAtLeast(1000)];
 * ```
 */
export function throughputAtLeast(rps: number): Assertion {
  if (!(rps > 0) || !Number.isFinite(rps)) {
    throw new RangeError(`throughputAtLeast(${rps}): expected a positive number of requests/s`);
  }
  return {
    name: "throughputAtLeast",
    description: `throughput at least ${rps} req/s`,
    check(report) {
      if (onlyOwnClients(report)) {
        if (report.commandClients!.answered === null) return uncountable();
        const answered = answeredPerSecond(report);
        if (answered === null) {
          return { pass: false, measured: "not measured", detail: "the load lasted no time" };
        }
        return {
          pass: answered >= rps,
          measured: `${answered.toFixed(1)} req/s answered (${AT_THE_SERVERS})`,
        };
      }
      const t = report.totals;
      const perSecond = report.requestsPerSecond;
      if (perSecond === null) {
        return { pass: false, measured: "not measured", detail: "the load lasted no time" };
      }
      // requestsPerSecond counts every completed request, errors too: keep the responses' share.
      const share = t.completed > 0 ? (t.completed - t.errors) / t.completed : 0;
      const responses = perSecond * share;
      const errors = t.errors > 0
        ? ` (${perSecond.toFixed(1)} req/s with the ${t.errors} that ended in an error)`
        : "";
      return { pass: responses >= rps, measured: `${responses.toFixed(1)} req/s${errors}` };
    },
  };
}

/**
 * An open model sends at least `share` of the requests its schedule made due (requests dropped
 * because `maxInFlight` were owed, or not sent before the end, count against it).
 *
 * @param share The least share, e.g. `0.99`.
 * @returns The assertion.
 * @throws {RangeError} If `share` is not between 0 and 1.
 *
 * @example
 * ```ts
 * import { rateAchieved } from "./requests.ts";
 *
 * const assert = [rateAchieved(0.99)];
 * ```
 */
export function rateAchieved(share: number): Assertion {
  if (!(share > 0 && share <= 1)) {
    throw new RangeError(`rateAchieved(${share}): expected a share above 0, at most 1`);
  }
  return {
    name: "rateAchieved",
    description: `at least ${formatPercent(share)} of the scheduled rate sent`,
    check(report) {
      const r = report.rate;
      if (!r) {
        return {
          pass: false,
          measured: "no rate",
          detail: 'no client fleet has a rate: give one, e.g. rate: "1000/s"',
        };
      }
      const measured = `${formatPercent(r.achieved)} (${r.sent} of ${r.scheduled} scheduled; ${
        r.achievedPerSecond.toFixed(0)
      }/s of ${r.targetPerSecond.toFixed(0)}/s; ${r.late} late, ${r.dropped} dropped)`;
      return r.achieved >= share
        ? { pass: true, measured }
        : { pass: false, measured, detail: rateShortfall(r, report.totals.inFlight) };
    },
  };
}

/**
 * Why an open model sent less than it scheduled: requests dropped at `maxInFlight`; due requests
 * that waited for a connection busy with a response (unsent at the end with requests in flight,
 * or most of the late ones: the server's pace); else the load generator's own lateness.
 */
function rateShortfall(r: RateReport, inFlight: number | null): string {
  if (r.dropped) {
    return `${r.dropped} requests were dropped: more than maxInFlight were owed (the server or the lanes could not keep up)`;
  }
  const unsent = r.scheduled - r.sent;
  const busy = r.lateBusy ?? 0;
  if ((unsent > 0 && (inFlight ?? 0) > 0) || busy * 2 > r.late) {
    return `${unsent} due requests were never sent and ${busy} of the ${r.late} late waited: every ` +
      `connection of their client was busy waiting for a response (${
        inFlight ?? "n/a"
      } in flight at the end): the server's pace, or too small a concurrency`;
  }
  return "the lanes could not send on schedule: raise concurrency (lanes), or the load generator is the limit";
}

function formatPercent(share: number): string {
  return `${(share * 100).toFixed(share >= 0.9995 && share < 1 ? 2 : 1)}%`;
}
