/**
 * Starts `--count` hello servers exactly as a scenario's server fleet does (servers/fleet.ts)
 * and prints their URLs, one per line, then serves until `--for` elapses (bounded) or SIGINT.
 * Used to point peer load tools (hey, wrk, autocannon) at the same servers wedge loads.
 *
 *   deno run -A bench/hello_server.ts --count 1 --for 60s [--protocol h2]
 *
 * With `--protocol h2` it serves HTTP/2 over TLS with a certificate made for the run (h2load does
 * not verify certificates).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseDuration } from "../units/duration.ts";
import { startServerFleet } from "../servers/fleet.ts";
import { hello } from "../scenario/behaviors.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    count: { type: "string", default: "1" },
    for: { type: "string", default: "60s" },
    protocol: { type: "string", default: "h1" },
  },
});
const count = Number(values.count);
const protocol = values.protocol === "h2" ? "h2" : "h1";
const behavior = hello();
const fleet = await startServerFleet(
  Array.from({ length: count }, (_, i) => ({
    id: i,
    fleet: "hello",
    index: i,
    seed: i,
    protocol,
    behavior,
  })),
);
for (const url of fleet.urls) console.log(url);
const done = new AbortController();
Deno.addSignalListener("SIGINT", () => done.abort());
Deno.addSignalListener("SIGTERM", () => done.abort());
const timer = setTimeout(() => done.abort(), parseDuration(values.for));
await new Promise((resolve) => done.signal.addEventListener("abort", resolve));
clearTimeout(timer);
await fleet.stop();
console.error(
  `served ${fleet.counters.reduce((sum, c) => sum + c.received, 0)} requests; stopped`,
);
