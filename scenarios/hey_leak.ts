/**
 * hey-leak — seed 002, "Warp Memory leak test" (hyperium/hyper#1790), with the seed's own tool.
 *
 * The seed's loop: start one hello server, run `hey` TRIES times, and read the server's RSS with
 * `ps` between runs. The maintainers found RSS plateaued at 11-12 MB over repeated runs, per-run
 * deltas from -272 KB to +472 KB: allocator retention, not a leak.
 *
 * Here: the real `hey -n REQUESTS -c 100` is the client (a command client fleet, started again for
 * each round), one hello server in a process of its own, one warm-up run, then `tries` measured
 * runs, RSS read 1 s after each exactly where the seed's `ps` read it; `rssDeltaBelow` gives the
 * plateau/growth verdict. Each hey run's own summary is kept in the JSON report
 * (`commandClients.processes[].stdoutTail`) and its log. Exits 0; `--set leakBytes=4096` (the
 * server keeps 4 KiB per request) exits 1. Without hey: exit 3, "needs hey (apt-get install hey)".
 */

import { defineScenario, hello, leak, rssDeltaBelow, z } from "../mod.ts";

export default defineScenario({
  name: "hey-leak",
  description: "seed 002 with hey itself: repeated hey runs, the server's RSS between them",
  params: z.object({
    requests: z.number().int().positive().default(20_000).describe("requests per hey run (-n)"),
    workers: z.number().int().positive().default(100).describe("hey's workers (-c)"),
    tries: z.number().int().positive().default(5).describe("measured runs (the seed's TRIES)"),
    leakBytes: z.number().int().min(0).default(0).describe(
      "bytes the server keeps per request, on purpose (0: a clean hello server)",
    ),
    bound: z.string().default("2MiB").describe("growth allowed over the measured runs"),
  }),
  timeLimit: "5m",
  servers: (p) => [{ name: "warp", behavior: p.leakBytes > 0 ? leak(p.leakBytes) : hello() }],
  clients: (p) => [{
    name: "hey",
    command: ["hey", "-n", String(p.requests), "-c", String(p.workers), "{url}"],
  }],
  assert: (p) => [rssDeltaBelow(p.bound, { of: "warp", warmup: 1, iterations: p.tries })],
});
