/**
 * warp-leak — seed 002, "Warp Memory leak test" (hyperium/hyper#1790).
 *
 * The seed starts one Warp hello server, runs `hey -z DURATION -c WORKERS` TRIES times, and
 * prints the server's RSS from `ps` before and after each run as "Memory leaked". Its example
 * shows +464 KB after one 1 s run; the maintainers found RSS plateaued at 11-12 MB over repeated
 * runs, with per-run deltas from -272 KB to +472 KB: allocator retention, not a leak.
 *
 * Here: one hello server in a server host process of its own (so its memory is its alone), one
 * client with `workers` requests in flight for `duration`, repeated: one warm-up load, then
 * `tries` measured loads, memory read 1 s after each. `rssDeltaBelow` gives the verdict: flat or
 * a plateau passes, growth that goes on through the later loads fails as a leak.
 * `--set leakBytes=4096` makes the server keep 4 KiB per request, which it must catch.
 */

import { defineScenario, hello, leak, rssDeltaBelow, successRateAtLeast, z } from "../mod.ts";

export default defineScenario({
  name: "warp-leak",
  description: "seed 002: is the server's RSS growth under repeated hey-like loads a leak?",
  params: z.object({
    leakBytes: z.number().int().min(0).default(0).describe(
      "bytes the server keeps per request, on purpose (0: a clean hello server)",
    ),
    tries: z.number().int().positive().default(5).describe("measured loads (the seed's TRIES)"),
    warmup: z.number().int().min(0).default(1).describe("loads before the baseline"),
    duration: z.string().default("1s").describe("length of each load (the seed's DURATION)"),
    workers: z.number().int().positive().default(100).describe(
      "requests in flight (the seed's WORKERS, hey -c)",
    ),
    bound: z.string().default("2MiB").describe("growth allowed over the measured loads"),
    settle: z.string().default("1s").describe("quiet time before each memory reading"),
  }),
  servers: (p) => [{
    name: "warp",
    behavior: p.leakBytes > 0 ? leak(p.leakBytes) : hello(),
  }],
  clients: (p) => [{ name: "hey", concurrency: p.workers, duration: p.duration }],
  assert: (p) => [
    rssDeltaBelow(p.bound, { of: "warp", warmup: p.warmup, iterations: p.tries, settle: p.settle }),
    successRateAtLeast(1),
  ],
});
