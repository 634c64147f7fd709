/**
 * Client worker thread: runs some clients of a fleet, each with its own connection pool (fetch:
 * its own `Deno.createHttpClient`; raw: its own pool of connections) and `concurrency` request
 * loops. Aggregates locally and posts a {@linkcode WorkerSnapshot} every `snapshotIntervalMs`;
 * never a message per request. This file is the entry: messages in, rounds and snapshots out.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import type { InFlightRequest } from "../report/stall_diagnosis.ts";
import { openClient, runClient } from "./client_runner.ts";
import { closeFetchClients } from "./fetch_engine.ts";
import type { FromWorker, ToWorker, WorkerSnapshot } from "./protocol.ts";
import { closeRawPools } from "./raw_engine.ts";
import { closeEpollPools, epollFallbackTold, shutdownEpoll } from "./epoll/engine.ts";
import {
  AWAITING_HEADERS,
  createWorkerState,
  IDLE,
  type LaneSlot,
  type WorkerState,
} from "./worker_state.ts";

/** A snapshot names at most this many requests in flight, the oldest. */
const OLDEST_KEPT = 5;

let state: WorkerState | undefined;

function post(message: FromWorker): void {
  self.postMessage(message);
}

function snapshot(s: WorkerState, final: boolean): WorkerSnapshot {
  return {
    type: "snapshot",
    workerId: s.init.workerId,
    final,
    roundsDone: s.roundsDone,
    clients: s.counters.map((c) => ({ ...c })),
    completedByServer: s.completedByServer.slice(),
    inFlightByServer: s.inFlightByServer.slice(),
    statusCodes: { ...s.statusCodes },
    errors: [...s.errors.values()].map((e) => ({ ...e })),
    retries: [...s.retries.values()].map((e) => ({ ...e })),
    oldestInFlight: oldestInFlight(s.slots, performance.now()),
    awaitingHeadersByServer: awaitingHeaders(s.slots, s.inFlightByServer.length),
    latencyDelta: s.histogram.takeDelta(),
    correctedDelta: s.corrected.takeDelta(),
    queueDelta: s.queue?.takeDelta() ?? null,
    wakeDelta: s.wake?.takeDelta() ?? null,
    heap: isolateHeap(),
  };
}

/** This isolate's heap figures (a few microseconds; read once per snapshot). */
function isolateHeap(): WorkerSnapshot["heap"] {
  try {
    const { heapUsed, heapTotal, external } = Deno.memoryUsage();
    return { heapUsed, heapTotal, external };
  } catch {
    return null;
  }
}

function awaitingHeaders(slots: readonly LaneSlot[], servers: number): number[] {
  if (slots.length === 0) return [];
  const counts = new Array<number>(servers).fill(0);
  for (const slot of slots) if (slot.phase === AWAITING_HEADERS) counts[slot.target]++;
  return counts;
}

function oldestInFlight(slots: readonly LaneSlot[], now: number): InFlightRequest[] {
  const oldest: LaneSlot[] = [];
  for (const slot of slots) {
    if (slot.phase === IDLE) continue;
    if (oldest.length < OLDEST_KEPT) {
      oldest.push(slot);
      oldest.sort((a, b) => a.startedAt - b.startedAt);
    } else if (slot.startedAt < oldest[OLDEST_KEPT - 1].startedAt) {
      oldest[OLDEST_KEPT - 1] = slot;
      oldest.sort((a, b) => a.startedAt - b.startedAt);
    }
  }
  return oldest.map((slot) => ({
    clientId: slot.clientId,
    server: slot.target,
    ageMs: now - slot.startedAt,
    phase: slot.phase === AWAITING_HEADERS ? "awaiting-headers" : "reading-body",
  }));
}

async function start(s: WorkerState, round: number, last: boolean): Promise<void> {
  const startedAt = performance.now();
  s.slots.length = 0; // the previous round's lanes are done
  s.timer ??= setInterval(() => {
    if (!s.finished) post(snapshot(s, false));
  }, s.init.snapshotIntervalMs);
  try {
    // Each client's lanes share its connection pool (fetch: one HTTP client), fresh every round,
    // opened in the engine that runs the client.
    for (const spec of s.init.clients) openClient(s, spec);
    await Promise.all(s.init.clients.map((spec) => runClient(s, spec, { startedAt })));
  } finally {
    closeFetchClients();
    closeRawPools();
    closeEpollPools();
  }
  s.roundsDone = round;
  if (last || s.stopped) finish(s);
  else post(snapshot(s, false)); // the round's end, at once
}

function finish(s: WorkerState): void {
  if (s.finished) return;
  s.finished = true;
  clearInterval(s.timer);
  post(snapshot(s, true));
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    if (message.type === "init") {
      if (message.epollFallbackTold) epollFallbackTold(true);
      state = createWorkerState(message);
      post({ type: "ready", workerId: message.workerId });
    } else if (message.type === "start" && state && !state.finished) {
      const s = state;
      start(s, message.round, message.last).catch((error) => {
        post({
          type: "failure",
          workerId: s.init.workerId,
          message: String(error?.stack ?? error),
        });
        finish(s);
      });
    } else if (message.type === "stop" && state) {
      // Report what is still in flight as it stands; the runtime then terminates this worker.
      state.stopped = true;
      finish(state);
      shutdownEpoll(); // FFI sockets would outlive the worker's termination
    }
  } catch (error) {
    post({
      type: "failure",
      workerId: state?.init.workerId ?? -1,
      message: String((error as Error)?.stack ?? error),
    });
  }
};
