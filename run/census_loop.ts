/**
 * The socket census of the run's server ports and the kernel's listen counters, read about once a
 * second (one read at a time) into the collector.
 *
 * @module
 */

import type { RunCollector } from "./collector.ts";
import { readSocketCensus } from "../system/socket_census.ts";
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
 * Takes a census at once, then again after 250 ms or four times as long as a read took (with many
 * sockets a read costs tens of ms: the census stays under ~20% of the time), until stopped.
 *
 * @param ports The run's server ports.
 * @param collector Takes every census and listen reading.
 * @returns The running loop.
 *
 * @example
 * ```ts ignore
 * const census = startCensusLoop(new Set([8080]), collector);
 * // ... load ...
 * await census.finish();
 * ```
 */
export function startCensusLoop(ports: ReadonlySet<number>, collector: RunCollector): CensusLoop {
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const tookMs = await takeCensus(ports, collector);
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
      await takeCensus(ports, collector);
    },
  };
}

/** Reads the census and the listen counters into the collector; returns how long it took, ms. */
async function takeCensus(ports: ReadonlySet<number>, collector: RunCollector): Promise<number> {
  const started = performance.now();
  const [census, listen] = await Promise.all([readSocketCensus(ports), readListenCounters()]);
  collector.observeListen(listen);
  if (census) collector.observeCensus(census);
  return performance.now() - started;
}
