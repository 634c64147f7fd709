/**
 * hang-mre — seed 000, "Reproducible Hyper Client Hang" (hyperium/hyper#2312), failing shape.
 *
 * The report: 40 in-process hello servers and 40 clients, each client a hyper `Client` with its own
 * connection pool keeping 128 requests in flight (`buffer_unordered(128)`) round-robin over every
 * server, 1,000,000 requests in all. The run silently stops making progress ("hangs"), while the
 * 10 x 10 x 128 shape (`hang-mre-ok`) completes at ~36k req/s. Sometimes "too many open files"
 * errors came first, and a low fd limit (`ulimit -Sn 512`) triggers it.
 *
 * What upstream concluded: closed in 2024 as "unable to reproduce"; the workaround people shipped was
 * turning the client pool off (`pool_max_idle_per_host(0)`). The MRE's servers stop their accept loop
 * on any accept error, so after EMFILE queued connections may never be accepted: the root cause was
 * never pinned down.
 *
 * Here: the same shape with Deno's `fetch` (built on hyper's client pool), one
 * `Deno.createHttpClient` per client. It asserts that every request completes; a hang shows as
 * requests left in flight when the time limit stops the run. The seed's A/B is two params:
 * `--set poolMaxIdlePerHost=0` (the pool off) and `--set nofile=512` (its `ulimit -Sn 512`).
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
  name: "hang-mre",
  description: "seed 000's failing shape: 40 servers x 40 clients x 128 in flight, 1M requests",
  params: z.object({
    nrequests: z.number().int().positive().default(1_000_000).describe("total requests"),
    nclients: z.number().int().positive().default(40).describe("clients, each its own pool"),
    nservers: z.number().int().positive().default(40).describe("hello servers"),
    concurrency: z.number().int().positive().default(128).describe("in flight per client"),
    poolMaxIdlePerHost: z.number().int().min(0).optional().describe(
      "idle connections each client keeps per server; 0 is the seed's workaround (default: no limit)",
    ),
    nofile: z.number().int().positive().optional().describe(
      "the run's open-files limit, as the seed's `ulimit -Sn 512` (default: the host's)",
    ),
    timeLimit: z.string().default("3m").describe("hard bound on the run"),
  }),
  timeLimit: (p) => p.timeLimit,
  limits: (p) => p.nofile === undefined ? undefined : { nofile: p.nofile },
  servers: (p) => [{ name: "hello", count: p.nservers, behavior: hello() }],
  clients: (p) => [{
    name: "mre",
    count: p.nclients,
    concurrency: p.concurrency,
    requests: p.nrequests,
    pool: { maxIdlePerHost: p.poolMaxIdlePerHost },
  }],
  assert: [noStallLongerThan("5s"), allRequestsComplete(), successRateAtLeast(1)],
});
