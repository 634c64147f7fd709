/**
 * siege-hangup — seed 001, "Every accepted connection gets a hangup after a siege run"
 * (tokio-rs/mio#485), the asker's own observation.
 *
 * The report: after `siege -c10 -t20S` against a mio server, "every new connection I get with
 * accept() receives a hangup event immediately". The accepted answer (ephemeral ports in
 * TIME_WAIT) is what `port-exhaustion` reproduces; it does not explain a 10-user run. What does is
 * an accept loop that falls behind (an edge-triggered listener that accepts one connection per
 * wake-up): connections wait in the kernel's backlog, siege's clients give up and close them, and
 * the server accepts connections whose peer is already gone.
 *
 * Here: one server that accepts `acceptPerSecond` connections a second (`acceptSlowly`), and a
 * burst of 10 clients with a new connection per request and a `timeout` (siege's). The server
 * counts the connections already closed by their clients when it accepted them (the first read
 * gives EOF or a reset), the census the backlog; a probe phase after the burst checks that the
 * server still serves. Exits 1; `--set acceptPerSecond=0` (normal accept) counts none and exits 0.
 */

import {
  acceptSlowly,
  defineScenario,
  serversStayAccepting,
  successRateAtLeast,
  z,
} from "../mod.ts";

export default defineScenario({
  name: "siege-hangup",
  description: "seed 001: a slow accept loop accepts connections their clients already closed",
  params: z.object({
    acceptPerSecond: z.number().min(0).default(5).describe(
      "connections the server accepts per second (0: as fast as it can, normal accept)",
    ),
    clients: z.number().int().positive().default(10).describe("siege's users (-c)"),
    duration: z.string().default("4s").describe("length of the burst (siege's -t)"),
    timeout: z.string().default("1s").describe("each request's timeout (siege's)"),
  }),
  timeLimit: "30s",
  servers: (p) => [{
    name: "mio",
    behavior: acceptSlowly({ perSecond: p.acceptPerSecond, burst: 1 }),
  }],
  clients: (p) => [{
    name: "siege",
    count: p.clients,
    concurrency: 1,
    duration: p.duration,
    connections: "per-request",
    timeout: p.timeout,
  }],
  assert: [successRateAtLeast(1), serversStayAccepting()],
});
