/**
 * ab-16k — seed 003, "Server Stuck at 16k Request", with `ab` itself (hyper#1314: `ab` stopped
 * at 16333 requests; actix-web#2845: at 16348; both on macOS).
 *
 * `ab -n 20000 -c 1` opens a new connection per request (no `-k`). On macOS the ephemeral range
 * is 49152-65535 (16384 ports) and each closed connection keeps its port in TIME_WAIT longer than
 * the run, so connect fails once the range is used up, near 16.4k requests.
 *
 * Here: the real `ab` as a command client against a one-connection-at-a-time server (`serial()`),
 * in a network namespace of the run's own with macOS's port range and `tcp_tw_reuse` off. What it
 * shows on Linux (measured 2026-11-30): ab does NOT stop; all 20000 complete (about 75 s here,
 * ~270 req/s), exit 0. The census says why: ab speaks HTTP/1.0, so the server closes each
 * connection first and TIME_WAIT lands on the server's side (peak ~7.4k server TIME_WAIT, no
 * client one), which holds no client port. The wall of `stuck-16k` needs the client to close
 * first (wedge's per-request connections). Without ab: exit 3, "needs ab (apt-get install
 * apache2-utils)". Linux, root.
 */

import { defineScenario, serial, timeWaitBelow, z } from "../mod.ts";

export default defineScenario({
  name: "ab-16k",
  description:
    "seed 003 with ab itself: ab -n 20000 -c 1 in macOS's port range (on Linux: no wall, server-side TIME_WAIT)",
  params: z.object({
    requests: z.number().int().positive().default(20_000).describe("ab -n"),
    ports: z.string().default("49152-65535").describe("ephemeral port range (macOS's)"),
  }),
  timeLimit: "2m",
  network: (p) => ({ ephemeralPorts: p.ports, tcpTwReuse: 0 }),
  servers: [{ name: "serial", behavior: serial() }],
  clients: (
    p,
  ) => [{ name: "ab", command: ["ab", "-q", "-n", String(p.requests), "-c", "1", "{url}"] }],
  assert: [timeWaitBelow(16_000)],
});
