/**
 * The socket census of the run's server ports and the kernel's listen counters, read about once a
 * second (one read at a time) into the collector.
 *
 * @module
 */

import type { RunCollector } from "./collector.ts";
import { countSockets, forgetGone, readTcpTable, socketsOnPorts } from "../system/socket_census.ts";
import { readListenCounters } from "../system/listen_overflow.ts";
import { delay } from "../units/deadline.ts";

/** A running census loop. */
export interface CensusLoop {
  /** Stops the loop, then takes one last census (the sockets as the load ended). */
  finish(): Promise<void>;
  /** Stops the loop and waits for a read under way. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Reads which sockets are already on the run's ports (none of them the run's: they are left out
 * of every census until they are gone, and their number goes to the collector); then takes a
 * census, and again after 250 ms or four times as long as a read took (with many sockets a read
 * costs tens of ms: the census stays under ~20% of the time), until stopped. Call it before the
 * load starts.
 *
 * @param ports The run's server ports.
 * @param collector Takes every census and listen reading.
 * @returns The running loop.
 *
 * @example
 * ```ts ignore
 * const census = await startCensusLoop(new Set([8080]), collector);
 * // ... load ...
 * await census.finish();
 * ```
 */
export async function startCensusLoop(
  ports: ReadonlySet<number>,
  collector: RunCollector,
): Promise<CensusLoop> {
  const before = await readTcpTable();
  const leaveOut = before ? socketsOnPorts(before, ports) : undefined;
  collector.observeSocketsBefore(leaveOut?.size ?? null);
  const stopping = new AbortController();
  const loop = (async () => {
    // The first read is as the load starts; the next ones are during it.
    for (let during = false; !stopping.signal.aborted; during = true) {
      const tookMs = await takeCensus(ports, { collector, leaveOut, during });
      await delay(Math.max(250, 4 * tookMs), { signal: stopping.signal }).catch(() => {});
    }
  })();
  const stop = async () => {
    stopping.abort();
    await loop;
  };
  return {
    stop,
    finish: async () => {
      await stop();
      await takeCensus(ports, { collector, leaveOut });
    },
  };
}

/** Reads the census and the listen counters into the collector; returns how long it took, ms. */
async function takeCensus(
  ports: ReadonlySet<number>,
  to: { collector: RunCollector; leaveOut?: Set<string>; during?: boolean },
): Promise<number> {
  const { collector, leaveOut, during = false } = to;
  const started = performance.now();
  const [sockets, listen] = await Promise.all([readTcpTable(), readListenCounters()]);
  if (sockets && leaveOut) forgetGone(leaveOut, sockets); // gone for good: never hide the run's
  const census = sockets && countSockets(sockets, ports, { leaveOut });
  collector.observeListen(listen);
  if (census) collector.observeCensus(census, { during });
  return performance.now() - started;
}
