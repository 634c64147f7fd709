/**
 * The server host: a Deno process that runs one fleet of wedge's own servers for the runtime, so
 * their memory, fds and sockets are theirs alone. Driven over stdin/stdout, one JSON message per
 * line (see `host_protocol.ts`). It exits when told to stop, or when its stdin closes (the
 * runtime is gone), so it never outlives the run.
 *
 * Run by the runtime as `deno run --allow-all servers/host.ts`; not meant to be run by
 * hand.
 *
 * @module
 */

import { readLines } from "../system/child_output.ts";
import { startLagMonitor } from "../system/event_loop_lag.ts";
import { setUpSignalHandling } from "../system/signal_setup.ts";
import { loadScenario } from "../scenario/load.ts";
import { resolveScenario } from "../scenario/resolve.ts";
import { behaviorRunsCode } from "../scenario/schema.ts";
import { type ServerFleetHandle, type ServerToStart, startServerFleet } from "./fleet.ts";
import {
  type FromHost,
  HOST_LINE_PREFIX,
  type HostStart,
  type ToHost,
  toWireCounters,
} from "./host_protocol.ts";

/** How often the host posts its counters, ms. */
const COUNTERS_INTERVAL_MS = 250;

function send(message: FromHost): void {
  // console.log writes synchronously, so lines never interleave.
  console.log(HOST_LINE_PREFIX + JSON.stringify(message));
}

/**
 * Rebuilds the servers' behaviours from the scenario module when any of them is code (a function
 * cannot travel as JSON): the host resolves the same scenario with the same params. This is the
 * one validation outside the runtime, and only because the host is another process: behaviours
 * that are data arrive resolved and are used as they are.
 */
async function behaviorsOf(start: HostStart): Promise<ServerToStart[]> {
  const servers = start.servers;
  if (!servers.some((s) => behaviorRunsCode(s.behavior))) return servers;
  if (start.scenario === null) {
    throw new Error(
      "a server's behaviour is code, and the host was not told the scenario file to load it from",
    );
  }
  const { definition } = await loadScenario(start.scenario.file);
  const scenario = resolveScenario(definition, {
    set: start.scenario.set,
    file: start.scenario.file,
  });
  return servers.map((s) => {
    const fleet = scenario.servers.find((f) => f.name === s.fleet);
    const behavior = fleet?.behaviors[s.index];
    if (!behavior || behavior.kind !== s.behavior.kind) {
      throw new Error(`the scenario file gave no matching behaviour for ${s.fleet}[${s.index}]`);
    }
    return { ...s, behavior };
  });
}

async function serve(): Promise<void> {
  let fleet: ServerFleetHandle | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A handler that runs synchronous code blocks this process's event loop: the lag says how long.
  const lag = startLagMonitor();
  const postCounters = () => {
    if (fleet) {
      send({
        type: "counters",
        counters: fleet.counters.map(toWireCounters),
        lag: lag.tracker.reading(),
      });
    }
  };
  const stop = async (timeoutMs: number) => {
    clearInterval(timer);
    lag.stop();
    const { unstopped } = fleet ? await fleet.stop({ timeoutMs }) : { unstopped: [] };
    postCounters();
    send({ type: "stopped", unstopped });
  };

  let stopped = false;
  await readLines(Deno.stdin.readable.getReader(), async (line) => {
    if (!line.trim()) return;
    const message = JSON.parse(line) as ToHost;
    if (message.type === "start") {
      try {
        fleet = await startServerFleet(await behaviorsOf(message), {
          onServerFailure: (serverId, error) =>
            send({
              type: "failure",
              serverId,
              message: error instanceof Error ? error.message : String(error),
            }),
        });
      } catch (error) {
        send({ type: "error", message: error instanceof Error ? error.message : String(error) });
        stopped = true;
        return "stop";
      }
      send({ type: "ready", urls: fleet.urls, caCerts: fleet.caCerts });
      timer = setInterval(postCounters, COUNTERS_INTERVAL_MS);
    } else if (message.type === "counters") {
      postCounters();
    } else if (message.type === "stop") {
      await stop(message.timeoutMs);
      stopped = true;
      return "stop";
    }
  });
  if (stopped) return;
  // stdin closed: the runtime is gone. Stop quickly and leave.
  await stop(1000);
}

if (import.meta.main) {
  // Its servers may take every descriptor it may hold: Deno must not need two later.
  setUpSignalHandling();
  await serve();
  Deno.exit(0);
}
