/**
 * hang-mre-ok — seed 000, "Reproducible Hyper Client Hang" (hyperium/hyper#2312), baseline shape.
 *
 * The report's `mre-ok` example: 10 in-process hello servers, 10 clients (one hyper `Client` and
 * connection pool each) with 128 requests in flight round-robin over every server. It completes and
 * prints `Throughput: 36489.9 request/s [1000000 in 54809630]`; the 40 x 40 shape (`hang-mre`) hangs.
 *
 * Here: the same shape with Deno's `fetch`, one `Deno.createHttpClient` per client; `nrequests` is
 * sized to finish in 10-20 s on a 2-core machine (`--set nrequests=1000000` for the seed's count).
 * It prints the seed's `Throughput:` line and asserts that every request completes.
 */

import {
  allRequestsComplete,
  defineScenario,
  hello,
  noStallLongerThan,
  successRateAtLeast,
  z,
} from "../mod.ts";

export default defineScenario({
  name: "hang-mre-ok",
  description: "seed 000's baseline shape: 10 servers x 10 clients x 128 in flight (completes)",
  params: z.object({
    nrequests: z.number().int().positive().default(300_000).describe("total requests"),
    nclients: z.number().int().positive().default(10).describe("clients, each its own pool"),
    nservers: z.number().int().positive().default(10).describe("hello servers"),
    concurrency: z.number().int().positive().default(128).describe("in flight per client"),
    poolMaxIdlePerHost: z.number().int().min(0).optional().describe(
      "idle connections each client keeps per server; 0 is the seed's workaround (default: no limit)",
    ),
    timeLimit: z.string().default("5m").describe("hard bound on the run"),
  }),
  timeLimit: (p) => p.timeLimit,
  servers: (p) => [{ name: "hello", count: p.nservers, behavior: hello() }],
  clients: (p) => [{
    name: "mre-ok",
    count: p.nclients,
    concurrency: p.concurrency,
    requests: p.nrequests,
    pool: { maxIdlePerHost: p.poolMaxIdlePerHost },
  }],
  assert: [noStallLongerThan("5s"), allRequestsComplete(), successRateAtLeast(1)],
});
