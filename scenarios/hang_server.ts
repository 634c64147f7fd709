/**
 * hang-server: a run that stalls on purpose, to show what wedge prints when one does.
 *
 * Seed 000's MRE hung silently; its author reached for strace and trace logs to see anything. Here
 * one server of the fleet never answers every `hangEvery`th request it gets, and the clients have
 * no timeout. Round-robin sends every request loop to that server in turn, so one by one the loops
 * get stuck on it until no request completes at all. The stall watchdog sees no completion for
 * `stallBound`, stops the run and says where the requests wait: every one on `hello[0]`, which
 * received them and never answered. Exit 1.
 *
 * `--set hangEvery=0` makes the fleet healthy: the run completes and exits 0.
 */

import {
  allRequestsComplete,
  defineScenario,
  hang,
  hello,
  noStallLongerThan,
  perServer,
  z,
} from "../mod.ts";

export default defineScenario({
  name: "hang-server",
  description: "one server in the fleet never answers every Nth request: the run stalls (exit 1)",
  params: z.object({
    nrequests: z.number().int().positive().default(50_000).describe("total requests"),
    nservers: z.number().int().positive().default(4).describe("hello servers"),
    nclients: z.number().int().positive().default(4).describe("clients"),
    concurrency: z.number().int().positive().default(16).describe("in flight per client"),
    hangEvery: z.number().int().min(0).default(50).describe(
      "server 0 never answers every Nth request it gets; 0 = healthy",
    ),
    stallBound: z.string().default("5s").describe("longest stall allowed"),
  }),
  timeLimit: "2m",
  servers: (p) => [{
    name: "hello",
    count: p.nservers,
    behavior: perServer((
      i,
    ) => (i === 0 && p.hangEvery > 0 ? hang({ every: p.hangEvery }) : hello())),
  }],
  clients: (p) => [{ count: p.nclients, concurrency: p.concurrency, requests: p.nrequests }],
  assert: (p) => [noStallLongerThan(p.stallBound), allRequestsComplete()],
});
