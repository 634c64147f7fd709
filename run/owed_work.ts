/**
 * Whether a run owes work right now, as the stall watchdog asks it: a stall is only a stall while
 * something is owed.
 *
 * @module
 */

import { ArrivalSchedule } from "../plan/arrival_schedule.ts";
import type { RunPlan } from "../plan/plan.ts";
import type { ClientCounters } from "../clients/protocol.ts";
import type { CollectedTotals } from "./collector.ts";

/** Where the rounds are, as {@linkcode owedWork}'s judge reads it. */
export interface RoundPosition {
  /** The current round (1-based). */
  round: number;
  /** Whether a round's load is under way. */
  running: boolean;
  /** When the current round's load started, ms since the load started. */
  startedAtMs: number;
}

/** What the run's counters say now. */
export interface OwedInputs {
  /** Ms since the load started. */
  nowMs: number;
  /** Run-wide totals. */
  totals: CollectedTotals;
  /** Counters by client id. */
  perClient: ClientCounters[];
}

/**
 * Makes the judge of owed work for a plan. Work is owed while requests are in flight, while a
 * closed-loop request-count client has requests left to send, or while a closed-loop duration
 * client's time has not run out. An open-model client owes only what its schedule has made due
 * and it has not sent: a low rate's quiet gaps are not stalls. Between rounds (a memory verdict's
 * settle time) nothing is owed.
 *
 * @param plan The run plan.
 * @returns A judge to call on every watchdog tick (it keeps per-round state).
 *
 * @example
 * ```ts ignore
 * const owed = owedWork(plan);
 * const isOwed = owed({ nowMs, totals: collector.totals(), perClient: collector.clients() }, rounds);
 * ```
 */
export function owedWork(plan: RunPlan): (now: OwedInputs, rounds: RoundPosition) => boolean {
  const closed = plan.clients.filter((c) => c.arrival === null);
  const countClients = closed.filter((c) => c.requests !== null);
  const countPlanned = countClients.reduce((sum, c) => sum + c.requests!, 0);
  const durationEndMs = Math.max(0, ...closed.map((c) => c.durationMs ?? 0));
  const open = plan.clients.filter((c) => c.arrival !== null).map((c) => ({
    client: c,
    schedule: new ArrivalSchedule(c.arrival!),
    sentBefore: 0, // sent or dropped before the current round
  }));
  let openRound = 0;
  return ({ nowMs, totals, perClient }, { round, running, startedAtMs }) => {
    const countSent = countClients.reduce((sum, c) => sum + perClient[c.id].sent, 0);
    if (openRound !== round) {
      openRound = round;
      for (const o of open) {
        o.sentBefore = perClient[o.client.id].sent + perClient[o.client.id].dropped;
      }
    }
    const overdue = running && open.some((o) => {
      const due = Math.min(
        o.client.requests ?? Infinity,
        o.schedule.dueBy(Math.min(nowMs - startedAtMs, o.client.durationMs ?? Infinity)),
      );
      // Dropped requests will never be sent: they are not owed.
      const c = perClient[o.client.id];
      return due > c.sent + c.dropped - o.sentBefore;
    });
    return totals.inFlight > 0 || overdue ||
      (running && closed.length > 0 &&
        (countSent < countPlanned * round || nowMs - startedAtMs < durationEndMs));
  };
}
