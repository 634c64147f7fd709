/**
 * Benchmark: the fetch engine over HTTP/2 (TLS, one connection per client, streams multiplexed)
 * against HTTP/1.1 (clear text, a pooled connection per in-flight request), same shape, interleaved
 * over --rounds in one process. Prints req/s, p99 and the h2/h1 ratio.
 *
 *   deno run -A bench/h2_vs_h1.ts [--seconds 5] [--rounds 3] [--clients 2] [--concurrency 64]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { defineScenario, hello, runScenario } from "../mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    clients: { type: "string", default: "2" },
    concurrency: { type: "string", default: "64" },
  },
});
const shape = (protocol: "h1" | "h2") =>
  defineScenario({
    name: `bench-${protocol}`,
    description: `1 hello server over ${protocol}`,
    servers: [{ protocol, behavior: hello() }],
    clients: [{
      count: Number(values.clients),
      concurrency: Number(values.concurrency),
      duration: `${values.seconds}s`,
    }],
  });
const results: Record<"h1" | "h2", { rps: number[]; p99: number[] }> = {
  h1: { rps: [], p99: [] },
  h2: { rps: [], p99: [] },
};
const rounds = Number(values.rounds);
for (let round = 1; round <= rounds; round++) {
  for (const protocol of round % 2 ? (["h1", "h2"] as const) : (["h2", "h1"] as const)) {
    const report = await runScenario(shape(protocol));
    results[protocol].rps.push(report.requestsPerSecond ?? NaN);
    results[protocol].p99.push(report.latency.percentiles.p99 ?? NaN);
    console.error(`round ${round} ${protocol}: ${report.requestsPerSecond?.toFixed(0)} req/s`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `fetch engine, 1 hello server, ${values.clients} clients x ${values.concurrency} in flight, ${values.seconds}s, ${rounds} rounds interleaved (median)`,
);
for (const p of ["h1", "h2"] as const) {
  console.log(
    `${p}: ${median(results[p].rps).toFixed(0)} req/s (${
      results[p].rps.map((x) => x.toFixed(0)).join(", ")
    }), p99 ${median(results[p].p99).toFixed(1)}ms`,
  );
}
console.log(`ratio h2/h1: ${(median(results.h2.rps) / median(results.h1.rps)).toFixed(2)}`);
console.log(
  `reproduce: deno run -A bench/h2_vs_h1.ts --seconds ${values.seconds} --rounds ${rounds} --clients ${values.clients} --concurrency ${values.concurrency}`,
);
