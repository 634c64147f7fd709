/**
 * port-exhaustion — seeds 001 and 003: a load test that opens a new connection per request runs out
 * of ephemeral ports, because every closed connection sits in TIME_WAIT on the client's side for
 * 60 s (Linux) and keeps its port.
 *
 * Seed 001 (tokio-rs/mio#485): after a `siege` run "every accepted connection gets a hangup"; the
 * answer there was the ephemeral port limit of a localhost-to-localhost load test. Seed 003 ("Server
 * stuck at 16k requests"): `oha` against a local server stops at ~16k requests on macOS, whose
 * ephemeral range is 16384 ports. k6's `noConnectionReuse` hits the same wall ("cannot assign
 * requested address", grafana/k6#826).
 *
 * Here: one hello server, per-request connections at full speed, in a network namespace of the
 * run's own with a small port range and `tcp_tw_reuse` off, so the wall comes after about as many
 * requests as there are ports. The report shows TIME_WAIT piling up (socket census), the error class
 * when the wall is hit (`address_unavailable`: "Cannot assign requested address"), and exits 1.
 * `--set connections=keep-alive` runs the same load over pooled connections: TIME_WAIT stays flat,
 * every request succeeds, exit 0.
 */

import {
  allRequestsComplete,
  defineScenario,
  hello,
  noConnectErrors,
  timeWaitBelow,
  z,
} from "../mod.ts";

export default defineScenario({
  name: "port-exhaustion",
  description:
    "a new connection per request until the ephemeral ports run out (seeds 001/003); exit 1",
  params: z.object({
    connections: z.enum(["per-request", "keep-alive"]).default("per-request").describe(
      "connection policy",
    ),
    nrequests: z.number().int().positive().default(2000).describe("total requests"),
    concurrency: z.number().int().positive().default(8).describe("in flight"),
    ports: z.string().default("50000-50499").describe("ephemeral port range in the namespace"),
    tcpTwReuse: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0).describe(
      "tcp_tw_reuse in the namespace",
    ),
    timeWaitBound: z.number().int().positive().default(100).describe("TIME_WAIT allowed"),
  }),
  timeLimit: "2m",
  network: (p) => ({ ephemeralPorts: p.ports, tcpTwReuse: p.tcpTwReuse }),
  servers: [{ name: "hello", behavior: hello() }],
  clients: (p) => [{
    concurrency: p.concurrency,
    requests: p.nrequests,
    connections: p.connections,
  }],
  assert: (p) => [noConnectErrors(), timeWaitBelow(p.timeWaitBound), allRequestsComplete()],
});
