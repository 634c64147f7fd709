/**
 * Messages between the runtime and a server host process (one per isolated fleet), one JSON
 * object per line. Lines from the host start with {@linkcode HOST_LINE_PREFIX}; anything else it
 * prints (a user handler's `console.log`) is only logged.
 *
 * @module
 */

import type { LagReading } from "../system/event_loop_lag.ts";
import type { ConnectionStreams } from "./connection_streams.ts";
import type { ServerCounters, ServerToStart } from "./fleet.ts";

/** Prefix of the host's protocol lines on its stdout. */
export const HOST_LINE_PREFIX = "\u0000wedge-host ";

/** Where the host finds the scenario, to rebuild behaviours that are code (`handler(fn)`). */
export interface HostScenarioSource {
  /** Absolute path of the scenario module. */
  file: string;
  /** The run's param overrides, as given (`--set`): the host resolves them as the runtime did. */
  set: Record<string, unknown>;
}

/** Runtime to host: start these servers (ids are 0..n-1 within the host). */
export interface HostStart {
  /** Message type. */
  type: "start";
  /** The servers, behaviours as data (code behaviours are rebuilt from `scenario`). */
  servers: ServerToStart[];
  /** The scenario module, or null when every behaviour is data. */
  scenario: HostScenarioSource | null;
}

/** Runtime to host: post counters now. */
export interface HostCountersRequest {
  /** Message type. */
  type: "counters";
}

/** Runtime to host: stop the servers within `timeoutMs`, post `stopped`, then exit. */
export interface HostStop {
  /** Message type. */
  type: "stop";
  /** Bound per server, ms. */
  timeoutMs: number;
}

/** Any message the runtime sends. */
export type ToHost = HostStart | HostCountersRequest | HostStop;

/** Counters of one server as they travel (the per-connection Map becomes entries). */
export type WireCounters = Omit<ServerCounters, "streams"> & {
  /** HTTP/2 stream accounting, or null. */
  streams:
    | (Omit<NonNullable<ServerCounters["streams"]>, "connections"> & {
      connections: [number, ConnectionStreams][];
    })
    | null;
};

/** Host to runtime: the servers listen. */
export interface HostReady {
  /** Message type. */
  type: "ready";
  /** Base URL of each server, by id within the host. */
  urls: string[];
  /** The host's CA certificate when it serves HTTP/2. */
  caCerts: string[];
}

/** Host to runtime: counters, every snapshot interval and on request. */
export interface HostCounters {
  /** Message type. */
  type: "counters";
  /** By id within the host. */
  counters: WireCounters[];
  /** The host's event-loop lag so far (epoch ms), or absent from an older host. */
  lag?: LagReading;
}

/** Host to runtime: a server stopped serving on its own. */
export interface HostServerFailure {
  /** Message type. */
  type: "failure";
  /** Id within the host. */
  serverId: number;
  /** What happened. */
  message: string;
}

/** Host to runtime: the servers could not start. */
export interface HostError {
  /** Message type. */
  type: "error";
  /** What went wrong. */
  message: string;
}

/** Host to runtime: every server has stopped (or was given up on); the host exits next. */
export interface HostStopped {
  /** Message type. */
  type: "stopped";
  /** Servers that did not stop in time. */
  unstopped: string[];
}

/** Any message the host sends. */
export type FromHost = HostReady | HostCounters | HostServerFailure | HostError | HostStopped;

/**
 * Encodes a server's live counters for the wire.
 *
 * @param counters Live counters.
 * @returns Plain JSON data.
 *
 * @example
 * ```ts
 * import { toWireCounters } from "./host_protocol.ts";
 * import assert from "node:assert/strict";
 *
 * const wire = toWireCounters({
 *   received: 1, responded: 1, handlerErrors: 0, handlerErrorMessages: [], failure: null,
 *   acceptedDead: null, streams: null,
 * });
 * assert.equal(JSON.parse(JSON.stringify(wire)).received, 1);
 * ```
 */
export function toWireCounters(
  counters: ServerCounters,
): WireCounters {
  return {
    received: counters.received,
    responded: counters.responded,
    handlerErrors: counters.handlerErrors,
    handlerErrorMessages: [...counters.handlerErrorMessages],
    failure: counters.failure,
    acceptedDead: counters.acceptedDead,
    streams: counters.streams && {
      reset: counters.streams.reset,
      resetByServer: counters.streams.resetByServer,
      open: counters.streams.open,
      peakOnOneConnection: counters.streams.peakOnOneConnection,
      connections: [...counters.streams.connections].map(([port, c]) => [port, { ...c }]),
      maxConcurrent: counters.streams.maxConcurrent,
    },
  };
}
