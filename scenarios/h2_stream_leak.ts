/**
 * h2-stream-leak — seed 004, elixir-mint/mint#450: "Mint.HTTP2 streams stuck in :half_closed_local".
 *
 * The report: HTTP/2 connections with all `max_concurrent_streams` streams stuck in
 * `half_closed_local`, so every later request stalled. What the thread found: the application's
 * request timeout stopped waiting but never called `HTTP2.cancel_request/2`. Mint frees a stream slot
 * only on the server's END_STREAM, an RST_STREAM, or an explicit cancel. Each timed-out request
 * therefore leaked its stream until the connection's limit was used up ("it may not be a Mint
 * problem after all").
 *
 * Here: one HTTP/2 server (Deno.serve over TLS: 200 concurrent streams per connection) that never
 * answers every `hangEvery`th request, and one client (one HTTP/2 connection) whose timeout stops
 * waiting without cancelling (`cancel: false`). Leaked streams pile up to the limit of 200; after that
 * no request gets a stream, so none gets a response (each only times out): the run stalls, and the
 * watchdog (progress = responses) stops it and names the stream limit. Exit 1.
 * `--set cancel=true` aborts timed-out requests (RST_STREAM; the server sees `request.signal`
 * fire): streams are freed, the run completes with every stream closed. Exit 0.
 */

import { defineScenario, hang, noStallLongerThan, openStreamsBelow, z } from "../mod.ts";

export default defineScenario({
  name: "h2-stream-leak",
  description:
    "seed 004: HTTP/2 timeouts that do not cancel leak streams until the connection stalls (exit 1)",
  params: z.object({
    cancel: z.boolean().default(false).describe("whether a timeout cancels its request"),
    hangEvery: z.number().int().min(1).default(10).describe("the server never answers every Nth"),
    nrequests: z.number().int().positive().default(5000).describe("total requests"),
    concurrency: z.number().int().positive().default(32).describe("in flight"),
    timeout: z.string().default("200ms").describe("the client's timeout"),
    stallBound: z.string().default("3s").describe("longest stall allowed"),
  }),
  timeLimit: "2m",
  servers: (p) => [{ name: "h2", protocol: "h2", behavior: hang({ every: p.hangEvery }) }],
  clients: (p) => [{
    concurrency: p.concurrency,
    requests: p.nrequests,
    timeout: { after: p.timeout, cancel: p.cancel },
  }],
  // Progress is a response: after the limit every request only times out, which is the outage
  // the seed saw ("every later request stalled").
  assert: (
    p,
  ) => [noStallLongerThan(p.stallBound, { progress: "responses" }), openStreamsBelow(200)],
});
