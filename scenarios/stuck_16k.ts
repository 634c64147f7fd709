/**
 * stuck-16k — seed 003, "Server Stuck at 16k Request" (also hyper#1314, actix-web#2845: `ab` stops
 * at 16333 and 16348 requests on macOS).
 *
 * The blog's server accepts a connection, handles it, and only then accepts the next
 * (`loop { let (stream, _) = listener.accept().await?; handle_connection(stream).await?; }`); `oha
 * -z 10s` against it stops at ~16.4k requests. The cause found there: macOS's ephemeral range is
 * 49152-65535 (16384 ports) and every closed connection holds its port in TIME_WAIT (2 x MSL = 30 s
 * on macOS) for longer than the run.
 *
 * Here: that serial server, a client opening a connection per request with oha's default 50 in
 * flight, for 55 s, in a network namespace of the run's own with macOS's port range and
 * `tcp_tw_reuse` off. The seed's 10 s reach the wall only on a machine as fast as the seed's: our
 * 2-core machines made 450-1,300 of these requests a second on different days (connect() slows as
 * the range fills), so the wall came at 13-42 s; Linux keeps TIME_WAIT 60 s, so it holds to the
 * end. The run hits the wall at the seed's numbers: 16383 requests succeed, then every connect
 * fails with "Cannot assign requested address" (`address_unavailable`). Exit 1.
 */

import { defineScenario, noConnectErrors, serial, timeWaitBelow, z } from "../mod.ts";

export default defineScenario({
  name: "stuck-16k",
  description: "seed 003: a one-connection-at-a-time server hits macOS's 16k port wall; exit 1",
  params: z.object({
    duration: z.string().default("55s").describe(
      "how long the client sends (the seed ran oha -z 10s; 55 s reach the wall on slower machines)",
    ),
    concurrency: z.number().int().positive().default(50).describe("in flight (oha's default)"),
    ports: z.string().default("49152-65535").describe("ephemeral port range (macOS's)"),
  }),
  timeLimit: "2m",
  network: (p) => ({ ephemeralPorts: p.ports, tcpTwReuse: 0 }),
  servers: [{ name: "serial", behavior: serial() }],
  clients: (p) => [{
    concurrency: p.concurrency,
    duration: p.duration,
    connections: "per-request",
  }],
  assert: [noConnectErrors(), timeWaitBelow(16_000)],
});
