/**
 * Benchmark: what the stall watchdog costs in throughput. Runs the same scenario (hang-mre-ok's
 * shape, scaled by --requests) with the watchdog on (main-thread watchdog plus the workers'
 * per-request in-flight tracking) and off, interleaved over --rounds, in one process, and prints
 * req/s of each and their ratio.
 *
 *   deno run -A bench/watchdog_cost.ts [--requests 150000] [--rounds 3]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { runScenario } from "../mod.ts";
import scenario from "../scenarios/hang_mre_ok.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    requests: { type: "string", default: "150000" },
    rounds: { type: "string", default: "3" },
  },
});
const nrequests = Number(values.requests);
const rounds = Number(values.rounds);
const rps: Record<"on" | "off", number[]> = { on: [], off: [] };
for (let round = 1; round <= rounds; round++) {
  for (const mode of round % 2 ? (["on", "off"] as const) : (["off", "on"] as const)) {
    const report = await runScenario(scenario, { set: { nrequests }, watchdog: mode === "on" });
    rps[mode].push(report.requestsPerSecond ?? NaN);
    console.error(`round ${round} watchdog ${mode}: ${report.requestsPerSecond?.toFixed(0)} req/s`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `hang-mre-ok shape, ${nrequests} requests, ${rounds} rounds interleaved (median req/s)`,
);
console.log(
  `watchdog on:  ${median(rps.on).toFixed(0)}  (${rps.on.map((x) => x.toFixed(0)).join(", ")})`,
);
console.log(
  `watchdog off: ${median(rps.off).toFixed(0)}  (${rps.off.map((x) => x.toFixed(0)).join(", ")})`,
);
console.log(`ratio on/off: ${(median(rps.on) / median(rps.off)).toFixed(3)}`);
console.log(
  `reproduce: deno run -A bench/watchdog_cost.ts --requests ${nrequests} --rounds ${rounds}`,
);
