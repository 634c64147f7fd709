/**
 * Benchmark: wedge's fetch engine against `hey` in the same sitting, as a ratio.
 *
 *   deno task bench            (or: deno run -A bench/fetch_vs_hey.ts [--seconds 5] [--rounds 2])
 *
 * Rows, interleaved over `--rounds` rounds so that machine noise hits every row alike:
 * - hey -z 5s -c 128 against one hello server started as a wedge fleet does (bench/hello_server.ts);
 * - wedge, same shape: 1 hello server, 128 requests in flight (2 clients x 64), 5 s;
 * - wedge hang-mre-ok on its defaults (10 servers x 10 clients x 128 in flight, 300k requests):
 *   the seed's shape, with 10x the connections and the servers in the same process.
 * Prints every command line and a table of req/s, p99 and the ratio to hey. Needs `hey`
 * (apt-get install -y hey); without it the hey row is skipped with a note, never faked.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { startHelloProcess } from "./_hello_process.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const { values } = parseArgs({
  args: Deno.args,
  options: { seconds: { type: "string", default: "5" }, rounds: { type: "string", default: "2" } },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);

interface Row {
  name: string;
  command: string;
  rps: number[];
  p99ms: number[];
}

async function run(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success && out.code !== 1) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed (${out.code}): ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return text;
}

async function hasHey(): Promise<boolean> {
  try {
    await new Deno.Command("hey", { stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

async function heyRound(row: Row): Promise<void> {
  const server = await startHelloProcess({ forSeconds: seconds + 30 });
  try {
    const text = await run(
      "hey",
      ["-z", `${seconds}s`, "-c", "128", server.url],
      (seconds + 30) * 1000,
    );
    row.rps.push(Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]));
    row.p99ms.push(Number(/99%+ in ([\d.]+) secs/.exec(text)?.[1]) * 1000);
  } finally {
    await server.stop();
  }
}

async function wedgeRound(row: Row, args: string[]): Promise<void> {
  const json = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await run(
      Deno.execPath(),
      ["run", "-A", "cli/main.ts", ...args, "--quiet", "--json", json],
      600_000,
    );
    const report = JSON.parse(await Deno.readTextFile(json));
    row.rps.push(report.requestsPerSecond);
    row.p99ms.push(report.latency.percentiles.p99);
  } finally {
    await Deno.remove(json);
  }
}

const SHAPE_FILE = await Deno.makeTempFile({ suffix: "_bench_shape.ts" });
await Deno.writeTextFile(
  SHAPE_FILE,
  `import { defineScenario, hello } from ${
    JSON.stringify(new URL("../mod.ts", import.meta.url).href)
  };
export default defineScenario({
  name: "bench-shape",
  description: "1 hello server, 2 clients x 64 in flight, like hey -c 128",
  servers: [{ behavior: hello() }],
  clients: [{ count: 2, concurrency: 64, duration: "${seconds}s" }],
});
`,
);

const heyAvailable = await hasHey();
const rows: Row[] = [
  {
    name: "hey -c 128, 1 server",
    command: `hey -z ${seconds}s -c 128 <url of bench/hello_server.ts>`,
    rps: [],
    p99ms: [],
  },
  {
    name: "wedge fetch, 1 server, 128 in flight",
    command: `deno task scenario <1 server, 2 clients x 64, ${seconds}s>`,
    rps: [],
    p99ms: [],
  },
  {
    name: "wedge hang-mre-ok (10x10x128)",
    command: "deno task scenario hang-mre-ok",
    rps: [],
    p99ms: [],
  },
];
try {
  for (let round = 1; round <= rounds; round++) {
    console.error(`round ${round}/${rounds}`);
    if (heyAvailable) await heyRound(rows[0]);
    await wedgeRound(rows[1], [SHAPE_FILE]);
    await wedgeRound(rows[2], ["hang-mre-ok"]);
  }
} finally {
  await Deno.remove(SHAPE_FILE);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
    ? s[(s.length - 1) / 2]
    : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const heyRps = median(rows[0].rps);
console.log(
  `wedge bench: fetch engine vs hey, ${rounds} rounds interleaved, median req/s (${
    new Date().toISOString()
  }, ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno})`,
);
console.log("");
console.log("| row | req/s (median) | rounds | p99 | ratio to hey |");
console.log("|---|---:|---|---:|---:|");
for (const row of rows) {
  if (row.rps.length === 0) {
    console.log(`| ${row.name} | skipped: hey not installed (apt-get install -y hey) | | | |`);
    continue;
  }
  const rps = median(row.rps);
  console.log(
    `| ${row.name} | ${rps.toFixed(0)} | ${row.rps.map((x) => x.toFixed(0)).join(", ")} | ${
      median(row.p99ms).toFixed(1)
    }ms | ${Number.isNaN(heyRps) ? "n/a" : (rps / heyRps).toFixed(2) + "x"} |`,
  );
}
console.log("");
for (const row of rows) console.log(`${row.name}: ${row.command}`);
console.log(`reproduce: deno run -A bench/fetch_vs_hey.ts --seconds ${seconds} --rounds ${rounds}`);
