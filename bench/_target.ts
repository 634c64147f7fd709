/**
 * The scenario the engine bench runs wedge with: clients against a server that is already running
 * (a `url` fleet), so wedge loads the same server process as wrk, autocannon and hey.
 *
 *   deno task scenario bench/_target.ts --set url=http://127.0.0.1:PORT/ --set engine=raw
 *
 * @module
 */

import { defineScenario, z } from "../mod.ts";

export default defineScenario({
  name: "bench-target",
  description: "load one running server for a duration (the engine bench)",
  params: z.object({
    url: z.string().default("http://127.0.0.1:8080/").describe("the running server"),
    engine: z.enum(["fetch", "raw", "raw-deno"]).default("raw").describe("load engine"),
    pipelining: z.number().int().positive().default(1).describe("raw: requests per connection"),
    clients: z.number().int().positive().default(2).describe("clients (one worker each)"),
    connections: z.number().int().positive().default(32).describe("lanes per client"),
    duration: z.string().default("5s").describe("how long to load"),
    rate: z.string().optional().describe('open model: e.g. "20000/s" (default: closed loop)'),
  }),
  servers: (p) => [{ name: "target", url: p.url }],
  clients: (p) => [{
    name: "bench",
    count: p.clients,
    concurrency: p.connections,
    duration: p.duration,
    engine: p.engine,
    pipelining: p.pipelining,
    workers: p.clients,
    ...(p.rate ? { rate: p.rate } : {}),
  }],
});
