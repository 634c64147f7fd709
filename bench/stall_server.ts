/**
 * A hello server that stalls once: the first request that arrives `--stall-after` seconds or more
 * after it started opens a `--stall` window (1 s by default), and every request that arrives before
 * the window closes is held until it does, so the whole server stops answering once, for 1 s. Used
 * by bench/engines.ts to show coordinated omission: an open-model load sees the stall in its
 * corrected latency, a closed-loop tool (wrk) hides it.
 *
 *   deno run -A bench/stall_server.ts --for 60s [--stall-after 3] [--stall 1]
 *
 * Listens on 127.0.0.1 at a free port, prints its URL on stdout (like bench/hello_server.ts), and
 * serves until `--for` elapses (bounded) or SIGINT/SIGTERM.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseDuration } from "../units/duration.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    for: { type: "string", default: "60s" },
    "stall-after": { type: "string", default: "3" },
    stall: { type: "string", default: "1" },
  },
});
const stallAfterMs = Number(values["stall-after"]) * 1000;
const stallMs = Number(values.stall) * 1000;

const started = performance.now();
let stalledUntil = 0;
let stallStarted = false;
let served = 0;
let held = 0;

const done = new AbortController();
const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  signal: done.signal,
  onListen: ({ port }) => console.log(`http://127.0.0.1:${port}/`),
}, async () => {
  const now = performance.now();
  if (!stallStarted && now - started >= stallAfterMs) {
    stallStarted = true;
    stalledUntil = now + stallMs;
    console.error(`stalling for ${stallMs} ms from ${((now - started) / 1000).toFixed(3)} s`);
  }
  if (now < stalledUntil) {
    held++;
    await new Promise((resolve) => setTimeout(resolve, stalledUntil - now));
  }
  served++;
  return new Response("Hello, World!", { headers: { "content-type": "text/plain" } });
});

Deno.addSignalListener("SIGINT", () => done.abort());
Deno.addSignalListener("SIGTERM", () => done.abort());
const timer = setTimeout(() => done.abort(), parseDuration(values.for));
await server.finished;
clearTimeout(timer);
console.error(`served ${served} requests (${held} held by the stall); stopped`);
Deno.exit(0);
