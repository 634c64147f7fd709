/**
 * The run plan: every server, client and worker thread of a run, decided once before anything
 * starts. Pure: no Deno APIs.
 *
 * @module
 */

import { deriveSeed } from "./random.ts";
import type {
  ArrivalSpec,
  ClientFleet,
  ResolvedBehavior,
  RoundsSpec,
  Scenario,
} from "../scenario/schema.ts";

/** One server to start. */
export interface PlannedServer {
  /** Index among all servers of the run. */
  id: number;
  /** Fleet name. */
  fleet: string;
  /** Index in its fleet. */
  index: number;
  /** What it does. */
  behavior: ResolvedBehavior;
  /** Wire protocol. */
  protocol: "h1" | "h2";
  /** Seed of its random choices. */
  seed: number;
  /**
   * Where it runs: `"runtime"` (inside this process), `"host"` (a server host process for its
   * fleet), `"command"` (the user's own program, a process of its own) or `"external"` (already
   * running at a URL; wedge only loads it).
   */
  placement: "runtime" | "host" | "command" | "external";
}

/**
 * One client: an HTTP client with its own connection pool and `concurrency` request loops. What
 * it shares with its fleet keeps the fleet's type (`ClientFleet`); the rest is its own part.
 */
export type PlannedClient =
  & Pick<
    ClientFleet,
    "durationMs" | "select" | "request" | "timeout" | "pool" | "protocol" | "engine" | "pipelining"
  >
  & {
    /** Index among all clients of the run. */
    id: number;
    /** Fleet name. */
    fleet: string;
    /** Index in its fleet. */
    index: number;
    /** Worker thread that runs it. */
    worker: number;
    /** In-flight requests: the fleet's concurrency, at most its requests per load. */
    concurrency: number;
    /** Requests it sends in each load (round); `null` in duration mode. */
    requests: number | null;
    /** Server ids it may send to. */
    targets: number[];
    /** The local address its connections come from, or null for the system's choice. */
    localAddress: string | null;
    /** Seed of its random choices. */
    seed: number;
    /** Open model: its fleet's schedule and this client's share of it, or null for a closed loop. */
    arrival: ArrivalSpec | null;
    /** Open model: this client's share of the fleet's `maxInFlight` (at least 1), or null. */
    maxInFlight: number | null;
  };

/** One worker thread and the clients it runs. */
export interface PlannedWorker {
  /** Worker index. */
  id: number;
  /** Fleet whose clients it runs. */
  fleet: string;
  /** Client ids. */
  clients: number[];
}

/** Everything a run will start. */
export interface RunPlan {
  /** Seed of the run. */
  seed: number;
  /** Hard bound on the load phase, ms. */
  timeLimitMs: number;
  /** Servers, in fleet order. */
  servers: PlannedServer[];
  /** Clients, in fleet order. */
  clients: PlannedClient[];
  /** Worker threads. */
  workers: PlannedWorker[];
  /** Total planned requests, every round included; `null` when any fleet runs for a duration. */
  planned: number | null;
  /**
   * How many times the load runs: 1, or warm-up plus measured iterations for a memory verdict
   * (each round sends every client's `requests`, or for its `durationMs`).
   */
  rounds: number;
  /** The repeated load's shape, or null for one load. */
  memoryRounds: RoundsSpec | null;
  /** Requests in flight at most: every client's concurrency times its pipelining. */
  concurrency: number;
}

/** Options for {@linkcode planRun}. */
export interface PlanRunOptions {
  /** Seed of the run's random choices. */
  seed: number;
  /** Cores available, which bounds the default worker count. @default {navigator.hardwareConcurrency} */
  cores?: number;
}

/**
 * Splits `total` into `parts` shares that differ by at most one, larger shares first.
 *
 * @param total What to split.
 * @param parts How many shares.
 * @returns The shares.
 *
 * @example
 * ```ts
 * import { splitFairly } from "./plan.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(splitFairly(10, 3), [4, 3, 3]);
 * ```
 */
export function splitFairly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const rest = total % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < rest ? 1 : 0));
}

/**
 * Plans a run: numbers the servers, splits each client fleet's requests fairly over its clients,
 * and spreads clients over worker threads (by default about one per core for the whole run, shared
 * by fleets in proportion to their clients: a client's isolation that matters is its own connection
 * pool, not its own isolate).
 *
 * @param scenario The validated scenario.
 * @param options The run seed and the cores available.
 * @returns The plan.
 *
 * @example
 * ```ts
 * import { defineScenario, hello } from "../mod.ts";
 * import { resolveScenario } from "../scenario/resolve.ts";
 * import { planRun } from "./plan.ts";
 * import assert from "node:assert/strict";
 *
 * const scenario = resolveScenario(defineScenario({
 *   name: "demo",
 *   description: "demo",
 *   servers: [{ count: 2, behavior: hello() }],
 *   clients: [{ count: 3, requests: 10 }],
 * }));
 * const plan = planRun(scenario, { seed: 1, cores: 2 });
 * assert.deepEqual(plan.clients.map((c) => c.requests), [4, 3, 3]);
 * assert.equal(plan.workers.length, 2);
 * ```
 */
export function planRun(scenario: Scenario, options: PlanRunOptions): RunPlan {
  const cores = Math.max(1, options.cores ?? navigator.hardwareConcurrency ?? 1);
  const servers: PlannedServer[] = [];
  const byFleet = new Map<string, number[]>();
  for (const fleet of scenario.servers) {
    const ids: number[] = [];
    for (let index = 0; index < fleet.count; index++) {
      const id = servers.length;
      servers.push({
        id,
        fleet: fleet.name,
        index,
        behavior: fleet.behaviors[index],
        protocol: fleet.protocol,
        seed: deriveSeed(options.seed, id),
        placement: fleet.behaviors[index].kind === "command"
          ? "command"
          : fleet.behaviors[index].kind === "external"
          ? "external"
          : fleet.isolate
          ? "host"
          : "runtime",
      });
      ids.push(id);
    }
    byFleet.set(fleet.name, ids);
  }
  const everyServer = servers.map((s) => s.id);

  const clients: PlannedClient[] = [];
  const workers: PlannedWorker[] = [];
  let planned: number | null = 0;
  const totalClients = scenario.clients.reduce((sum, f) => sum + f.count, 0);
  for (const fleet of scenario.clients) {
    // About one worker per core for the whole run, shared by fleets in proportion to their
    // clients; at least one per fleet, never more than its clients.
    const share = Math.max(1, Math.round((cores * fleet.count) / totalClients));
    const workerCount = Math.min(fleet.count, fleet.workers ?? share);
    const firstWorker = workers.length;
    for (let w = 0; w < workerCount; w++) {
      workers.push({ id: firstWorker + w, fleet: fleet.name, clients: [] });
    }
    const shares = fleet.requests === null ? null : splitFairly(fleet.requests, fleet.count);
    if (fleet.requests === null) planned = null;
    else if (planned !== null) planned += fleet.requests;
    for (let index = 0; index < fleet.count; index++) {
      const id = clients.length;
      const worker = firstWorker + (index % workerCount);
      workers[worker].clients.push(id);
      clients.push({
        id,
        fleet: fleet.name,
        index,
        worker,
        // A lane without a request to send is only cost: never more lanes than requests.
        concurrency: shares
          ? Math.max(1, Math.min(fleet.concurrency, shares[index]))
          : fleet.concurrency,
        requests: shares ? shares[index] : null,
        durationMs: fleet.durationMs,
        targets: fleet.target === null ? everyServer : byFleet.get(fleet.target)!,
        select: fleet.select,
        request: fleet.request,
        timeout: fleet.timeout,
        pool: fleet.pool,
        protocol: fleet.protocol,
        localAddress: fleet.sourceAddresses.length
          ? fleet.sourceAddresses[index % fleet.sourceAddresses.length]
          : null,
        seed: deriveSeed(options.seed, 1_000_000 + id),
        engine: fleet.engine,
        pipelining: fleet.pipelining,
        // A fleet's rate is one schedule: client k of n sends its requests k, k + n, k + 2n, ...
        arrival: fleet.arrival && { ...fleet.arrival, share: { index, of: fleet.count } },
        maxInFlight: fleet.maxInFlight === null
          ? null
          : Math.max(1, splitFairly(fleet.maxInFlight, fleet.count)[index]),
      });
    }
  }
  const rounds = scenario.rounds ? scenario.rounds.warmup + scenario.rounds.iterations : 1;
  return {
    seed: options.seed,
    timeLimitMs: scenario.timeLimitMs,
    servers,
    clients,
    workers,
    planned: planned === null ? null : planned * rounds,
    rounds,
    memoryRounds: scenario.rounds,
    concurrency: clients.reduce((sum, c) => sum + c.concurrency * c.pipelining, 0),
  };
}
