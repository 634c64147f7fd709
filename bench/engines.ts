/**
 * Benchmark: wedge's load engines against wrk, autocannon and hey, on the same server processes,
 * in the same sitting, as ratios; then two open-model checks (a fixed rate at 80% of capacity, and
 * a server that stalls once for 1 s).
 *
 *   deno run -A bench/engines.ts [--seconds 5] [--rounds 3] [--connections 64] [--open-only]
 *     [--engine-threads 2] [--rows 1,8,5,10] [--servers deno,node] [--skip-open]
 *
 * Servers: a Deno.serve hello server (bench/hello_server.ts, as a wedge fleet starts one) and a
 * `node:http` hello server (bench/node_hello_server.mjs, run with `node`, or `deno run -A` where
 * node is missing). For each server, `--rounds` rounds of these rows, interleaved in a fixed order
 * so that machine noise hits every row alike, all with `--connections` connections for
 * `--seconds`:
 *  1. wrk -t2; 8. wrk -t1; 2. and 9. the same pipelining 4 requests per write
 *  (bench/wrk_pipeline.lua); 3. autocannon (npx); 4. hey; 5. wedge raw engine (epoll through FFI);
 *  10. wedge raw-deno (Deno.connect); 6. and 11. the same pipelining 4; 7. wedge fetch engine
 *  (wedge rows run bench/_target.ts against the running server, `--engine-threads` clients, each
 *  on its own worker thread, sharing the connections).
 * Prints every command line, a table per server (median req/s with min-max, median p99, median
 * generator CPU per request from /proc/PID/stat over the middle of each run (bench/_cpu.ts), ratio
 * to the better of wrk -t1 and -t2, pipelined rows to the better pipelined wrk) and the issue's
 * target ratios, then the
 * open-model checks, and writes everything to bench/results/<YYYY-MM-DD>.json (a partial run,
 * `--rows`, `--servers` or `--open-only`, writes none). A missing tool's rows are skipped with a
 * note, never faked. Every subprocess is bounded in time and reaped (bench/_bench_process.ts);
 * the peers' output is parsed in bench/_tool_output.ts, wedge runs through bench/_wedge_run.ts,
 * and the open-model checks are bench/_open_model.ts.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { type HelloProcess, startHelloProcess, startUrlProcess } from "./_hello_process.ts";
import { exists, firstLine, type Output, runBounded } from "./_bench_process.ts";
import { fmt, fmtMs, median } from "./_format.ts";
import { printOpenModel, rateCheck, stallCheck } from "./_open_model.ts";
import { cpuPerRequest, parseAutocannon, parseHey, parseWrk, type Sample } from "./_tool_output.ts";
import { type BenchLoad, runWedge, wedgeArgs, wedgeSets } from "./_wedge_run.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "64" },
    "open-only": { type: "boolean", default: false },
    "skip-open": { type: "boolean", default: false },
    "engine-threads": { type: "string", default: "2" },
    rows: { type: "string", default: "" },
    servers: { type: "string", default: "deno,node" },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const openOnly = values["open-only"];
const engineThreads = Number(values["engine-threads"]);
const onlyRows = values.rows ? values.rows.split(",").map(Number) : null;
const onlyServers = values.servers.split(",");
if (
  !(seconds > 0) || !(rounds >= 1) || !(connections >= 2) || !(engineThreads >= 1) ||
  connections % engineThreads
) {
  console.error(
    "usage: --seconds N>0 --rounds N>=1 --connections N>=2 --engine-threads N>=1 (dividing connections)",
  );
  Deno.exit(2);
}
/** Bound for one load subprocess. */
const TOOL_TIMEOUT_S = seconds + 30;

// Ctrl-C or SIGTERM aborts every subprocess; the finally blocks then stop the servers.
const interrupted = new AbortController();
const onSignal = () => interrupted.abort(new Error("interrupted"));
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);
const { signal } = interrupted;
const load: BenchLoad = { seconds, connections, engineThreads, signal };

// ---------------------------------------------------------------------------------------------
// Rows

type ToolName = "wrk" | "autocannon" | "hey" | "wedge";

/** The rows every ratio is taken against: the better of wrk -t2 and wrk -t1 (plain, pipelined). */
const PEERS: Record<number, number[]> = { 1: [1, 8], 2: [2, 9] };

interface RowSpec {
  id: number;
  name: string;
  tool: ToolName;
  /** Row whose median req/s this row is divided by (1, 2: the better wrk, see PEERS). */
  baseline: number;
  /** The command line with `URL` for the server's address. */
  command: string;
  measure(url: string): Promise<Sample>;
}

const NPX_AUTOCANNON = ["--prefer-offline", "-y", "autocannon@8"];

const wrkArgs = (url: string, threads = 2) => [
  `-t${threads}`,
  `-c${connections}`,
  `-d${seconds}s`,
  "--latency",
  url,
];
const autocannonArgs = (url: string) => [
  ...NPX_AUTOCANNON,
  "-c",
  String(connections),
  "-d",
  String(seconds),
  "-j",
  url,
];
const heyArgs = (url: string) => ["-z", `${seconds}s`, "-c", String(connections), url];

async function toolRun(program: string, args: string[]): Promise<Output> {
  const out = await runBounded(program, args, {
    timeoutS: TOOL_TIMEOUT_S,
    signal,
    cpu: { loadS: seconds },
  });
  if (out.code !== 0) {
    throw new Error(`${program} ${args.join(" ")} failed (exit ${out.code}):\n${out.stderr}`);
  }
  return out;
}

/** Runs a tool, parses its output, and adds its CPU per request. */
async function toolSample(
  program: string,
  args: string[],
  parse: (text: string) => Sample,
): Promise<Sample> {
  const out = await toolRun(program, args);
  const sample = parse(out.stdout);
  return { ...sample, cpuUsPerRequest: cpuPerRequest(out.cpu, sample.rps) };
}

function wrkRow(id: number, name: string, threads: number, pipelined: boolean): RowSpec {
  const args = (url: string) =>
    pipelined
      ? [...wrkArgs(url, threads).slice(0, -1), "-s", "bench/wrk_pipeline.lua", url]
      : wrkArgs(url, threads);
  return {
    id,
    name,
    tool: "wrk",
    baseline: pipelined ? 2 : 1,
    command: `wrk ${args("URL").join(" ")}`,
    measure: (url) => toolSample("wrk", args(url), parseWrk),
  };
}

function wedgeRow(
  id: number,
  name: string,
  baseline: number,
  extra: Record<string, string | number>,
): RowSpec {
  return {
    id,
    name,
    tool: "wedge",
    baseline,
    command: `deno ${wedgeArgs("<report.json>", wedgeSets("URL", { load, extra })).join(" ")}`,
    async measure(url) {
      const report = await runWedge(wedgeSets(url, { load, extra }), { signal });
      const rps = report.requestsPerSecond ?? NaN; // wedge clients ran: known
      const cpuUsPerRequest = cpuPerRequest(report.cpuWindow, rps);
      return { rps, p99ms: report.latency.percentiles.p99 ?? NaN, cpuUsPerRequest };
    },
  };
}

/** Every row, in the order a round runs them (each row's id stays what results files name). */
const ALL_ROWS: RowSpec[] = [
  wrkRow(1, "wrk", 2, false),
  wrkRow(8, "wrk -t1", 1, false),
  wrkRow(2, "wrk pipelined x4", 2, true),
  wrkRow(9, "wrk -t1 pipelined x4", 1, true),
  {
    id: 3,
    name: "autocannon",
    tool: "autocannon",
    baseline: 1,
    command: `npx ${autocannonArgs("URL").join(" ")}`,
    measure: (url) => toolSample("npx", autocannonArgs(url), parseAutocannon),
  },
  {
    id: 4,
    name: "hey",
    tool: "hey",
    baseline: 1,
    command: `hey ${heyArgs("URL").join(" ")}`,
    measure: (url) => toolSample("hey", heyArgs(url), parseHey),
  },
  wedgeRow(5, "wedge raw", 1, {}),
  wedgeRow(10, "wedge raw-deno", 1, { engine: "raw-deno" }),
  wedgeRow(6, "wedge raw pipelined x4", 2, { pipelining: 4 }),
  wedgeRow(11, "wedge raw-deno pipelined x4", 2, { engine: "raw-deno", pipelining: 4 }),
  wedgeRow(7, "wedge fetch", 1, { engine: "fetch" }),
];
const ROWS = onlyRows ? ALL_ROWS.filter((row) => onlyRows.includes(row.id)) : ALL_ROWS;

// ---------------------------------------------------------------------------------------------
// Servers

interface ServerSpec {
  key: "deno" | "node";
  name: string;
  command: string;
  start(forSeconds: number): Promise<HelloProcess>;
}

const nodeAvailable = await exists("node");
const nodeRuntime = nodeAvailable
  ? `node ${(await firstLine("node", ["--version"], { signal })).replace(/^v/, "")}`
  : `deno ${Deno.version.deno} (node:http compat; node not installed)`;
const SERVERS: ServerSpec[] = [
  {
    key: "deno",
    name: `Deno.serve hello (bench/hello_server.ts, deno ${Deno.version.deno})`,
    command: "deno run -A bench/hello_server.ts --count 1 --for Ns --protocol h1",
    start: (forSeconds) => startHelloProcess({ forSeconds }),
  },
  {
    key: "node",
    name: `node:http hello (bench/node_hello_server.mjs, ${nodeRuntime})`,
    command: nodeAvailable
      ? "node bench/node_hello_server.mjs --for Ns"
      : "deno run -A bench/node_hello_server.mjs --for Ns",
    start: (forSeconds) =>
      nodeAvailable
        ? startUrlProcess("node", ["bench/node_hello_server.mjs", "--for", `${forSeconds}s`])
        : startUrlProcess(Deno.execPath(), [
          "run",
          "-A",
          "bench/node_hello_server.mjs",
          "--for",
          `${forSeconds}s`,
        ]),
  },
];

// ---------------------------------------------------------------------------------------------
// Main

const startedAt = new Date();

/** Why a tool's rows are skipped, when they are. */
const skipped: Partial<Record<ToolName, string>> = {};

interface RowResult {
  id: number;
  name: string;
  command: string;
  baseline: number;
  rps: number[];
  p99ms: number[];
  /** Generator CPU per request (us) per round; NaN where unknown. */
  cpuUs: number[];
  notes: string[];
  errors: string[];
  skipped?: string;
  medianRps?: number;
  minRps?: number;
  maxRps?: number;
  medianP99ms?: number;
  medianCpuUs?: number;
  ratio?: number;
}

interface ServerResult {
  key: string;
  server: string;
  command: string;
  rows: RowResult[];
  targets: Target[];
}

interface Target {
  name: string;
  numerator: number;
  denominator: number;
  threshold: number;
  value: number;
  met: boolean | null;
}

/** Issue 17's targets: against the better wrk (PEERS: denominators 1 and 2 are the better). */
const TARGETS: Omit<Target, "value" | "met">[] = [
  { name: "raw / better wrk", numerator: 5, denominator: 1, threshold: 1.0 },
  { name: "raw-pipelined / better wrk-pipelined", numerator: 6, denominator: 2, threshold: 1.1 },
  { name: "raw / autocannon", numerator: 5, denominator: 3, threshold: 1.0 },
  { name: "raw / hey", numerator: 5, denominator: 4, threshold: 2 },
  { name: "fetch / hey", numerator: 7, denominator: 4, threshold: 0.9 },
];

async function checkTools(): Promise<void> {
  if (!(await exists("wrk", ["-v"]))) skipped.wrk = "wrk not found: apt-get install -y wrk";
  if (!(await exists("hey", []))) skipped.hey = "hey not found: apt-get install -y hey";
  if (!(await exists("npx", ["--version"]))) {
    skipped.autocannon = "npx not found (install Node.js with npm) for npx autocannon@8";
  } else {
    try {
      const out = await runBounded("npx", [...NPX_AUTOCANNON, "--version"], {
        timeoutS: 180,
        signal,
      });
      if (out.code !== 0 || !/autocannon v8/.test(out.stdout + out.stderr)) {
        skipped.autocannon = `npx could not run autocannon@8 (exit ${out.code}): ${
          (out.stderr.trim().split("\n").pop() ?? "").slice(0, 300)
        }`;
      }
    } catch (error) {
      skipped.autocannon = `npx could not run autocannon@8: ${(error as Error).message}`;
    }
  }
}

async function runTable(server: ServerSpec): Promise<ServerResult> {
  const rows: RowResult[] = ROWS.map((spec) => ({
    id: spec.id,
    name: spec.name,
    command: spec.command,
    baseline: spec.baseline,
    rps: [],
    p99ms: [],
    cpuUs: [],
    notes: [],
    errors: [],
    ...(skipped[spec.tool] ? { skipped: skipped[spec.tool] } : {}),
  }));
  for (let round = 1; round <= rounds; round++) {
    // One server process per round, bounded by every row's timeout.
    const proc = await server.start(ROWS.length * (TOOL_TIMEOUT_S + 30) + 30);
    try {
      for (const [i, spec] of ROWS.entries()) {
        const row = rows[i];
        if (row.skipped) continue;
        signal.throwIfAborted();
        try {
          const sample = await spec.measure(proc.url);
          row.rps.push(sample.rps);
          row.p99ms.push(sample.p99ms);
          row.cpuUs.push(sample.cpuUsPerRequest ?? NaN);
          if (sample.note) row.notes.push(`round ${round}: ${sample.note}`);
          console.error(
            `[${server.key} round ${round}/${rounds}] ${spec.name}: ${fmt(sample.rps)} req/s, p99 ${
              fmtMs(sample.p99ms)
            }, CPU ${fmt(sample.cpuUsPerRequest ?? NaN, 2)} us/request`,
          );
        } catch (error) {
          signal.throwIfAborted();
          const message = (error as Error).message;
          row.errors.push(`round ${round}: ${message}`);
          console.error(`[${server.key} round ${round}/${rounds}] ${spec.name} FAILED: ${message}`);
        }
      }
    } finally {
      await proc.stop();
    }
  }
  for (const row of rows) {
    row.medianRps = median(row.rps);
    row.minRps = row.rps.length ? Math.min(...row.rps) : NaN;
    row.maxRps = row.rps.length ? Math.max(...row.rps) : NaN;
    row.medianP99ms = median(row.p99ms);
    row.medianCpuUs = median(row.cpuUs);
  }
  // A row's median, or for a peer baseline (1, 2) the better of wrk -t2 and wrk -t1.
  const medianOf = (id: number) => {
    const ids = PEERS[id] ?? [id];
    const medians = rows.filter((r) => ids.includes(r.id)).map((r) => r.medianRps ?? NaN)
      .filter(Number.isFinite);
    return medians.length ? Math.max(...medians) : NaN;
  };
  for (const row of rows) row.ratio = (row.medianRps ?? NaN) / medianOf(row.baseline);
  const targets = TARGETS.map((t) => {
    const value = medianOf(t.numerator) / medianOf(t.denominator);
    return { ...t, value, met: Number.isFinite(value) ? value >= t.threshold : null };
  });
  return { key: server.key, server: server.name, command: server.command, rows, targets };
}

function printTable(result: ServerResult): void {
  console.log("");
  console.log(`### ${result.server}`);
  console.log(`(${rounds} rounds interleaved, ${connections} connections, ${seconds}s per row)`);
  console.log("");
  console.log(
    "| # | row | req/s median | min-max | p99 median | CPU us/req | ratio to the better wrk |",
  );
  console.log("|---|---|---:|---|---:|---:|---:|");
  for (const row of result.rows) {
    if (row.skipped) {
      console.log(`| ${row.id} | ${row.name} | skipped: ${row.skipped} | | | | |`);
      continue;
    }
    if (row.rps.length === 0) {
      console.log(`| ${row.id} | ${row.name} | failed every round (see errors) | | | | |`);
      continue;
    }
    const base = row.baseline === 2 ? "wrk pipelined" : "wrk";
    const ratio = Number.isFinite(row.ratio!) ? `${row.ratio!.toFixed(2)}x ${base}` : "n/a";
    const failed = row.errors.length ? ` (${row.errors.length} failed)` : "";
    console.log(
      `| ${row.id} | ${row.name} | ${fmt(row.medianRps!)} | ${fmt(row.minRps!)}-${
        fmt(row.maxRps!)
      }${failed} | ${fmtMs(row.medianP99ms!)} | ${fmt(row.medianCpuUs!, 2)} | ${ratio} |`,
    );
  }
  console.log("");
  console.log("Targets (ratios of median req/s):");
  for (const t of result.targets) {
    const verdict = t.met === null ? "n/a (a row is missing)" : t.met ? "met" : "not met";
    console.log(`  ${t.name} >= ${t.threshold}: ${fmt(t.value, 2)} -> ${verdict}`);
  }
  // Generator CPU per request against wrk's (the better of -t1 and -t2 by req/s): target <= 1.1x.
  const cpuOf = (id: number) => result.rows.find((r) => r.id === id)?.medianCpuUs ?? NaN;
  const wrkCpus = [cpuOf(1), cpuOf(8)].filter(Number.isFinite);
  const wrkCpu = wrkCpus.length ? Math.min(...wrkCpus) : NaN;
  for (const [id, name] of [[5, "raw"], [10, "raw-deno"]] as const) {
    const ratio = cpuOf(id) / wrkCpu;
    const verdict = Number.isFinite(ratio) ? (ratio <= 1.1 ? "met" : "not met") : "n/a";
    console.log(`  ${name} CPU/request / wrk's <= 1.1: ${fmt(ratio, 2)} -> ${verdict}`);
  }
  const notes = result.rows.flatMap((r) => r.notes.map((n) => `${r.name} ${n}`));
  const errors = result.rows.flatMap((r) => r.errors.map((e) => `${r.name} ${e}`));
  if (notes.length) console.log(`Notes:\n  ${notes.join("\n  ")}`);
  if (errors.length) console.log(`Errors:\n  ${errors.join("\n  ")}`);
}

// ---------------------------------------------------------------------------------------------

let exitCode = 0;
try {
  await checkTools();
  const commands = [
    ...SERVERS.map((s) => `server: ${s.command}`),
    ...ROWS.map((r) => `${r.id}. ${r.name}: ${r.command}`),
  ];
  console.log(
    `wedge engines bench (${startedAt.toISOString()}, ${navigator.hardwareConcurrency} cores, ` +
      `Deno ${Deno.version.deno})`,
  );
  console.log("");
  console.log("Command lines (URL = the server's address; N = its bounded lifetime):");
  for (const c of commands) console.log(`  ${c}`);
  for (const [tool, why] of Object.entries(skipped)) console.log(`  skipped ${tool}: ${why}`);

  const tables: ServerResult[] = [];
  if (!openOnly) {
    for (const server of SERVERS.filter((s) => onlyServers.includes(s.key))) {
      const result = await runTable(server);
      tables.push(result);
      printTable(result);
    }
  }
  const denoRaw = tables.find((t) => t.key === "deno")?.rows.find((r) => r.id === 5)?.medianRps;
  if (values["skip-open"]) {
    console.log(`\nopen-model checks skipped (--skip-open)`);
    Deno.exit(exitCode);
  }
  const rate = await rateCheck(denoRaw, load);
  const stall = await stallCheck(load, { wrkSkipped: skipped.wrk });
  const openCommands = [
    `rate: ${rate.command}`,
    `stall server: ${stall.serverCommand}`,
    `stall: ${stall.command}`,
    `stall, wrk: ${stall.wrk!.command}`,
  ];
  console.log("");
  console.log("Open-model command lines:");
  for (const c of openCommands) console.log(`  ${c}`);
  printOpenModel(rate, stall);

  const reproduce = `deno run -A bench/engines.ts --seconds ${seconds} --rounds ${rounds} ` +
    `--connections ${connections} --engine-threads ${engineThreads}`;
  const machine = {
    cores: navigator.hardwareConcurrency,
    deno: await firstLine(Deno.execPath(), ["--version"], { signal }),
    wrk: skipped.wrk ? "not installed" : await firstLine("wrk", ["--version"], { signal }),
    node: nodeAvailable ? await firstLine("node", ["--version"], { signal }) : "not installed",
    os: `${Deno.build.os} ${Deno.build.arch} ${Deno.osRelease()}`,
  };
  if (onlyRows || onlyServers.length < SERVERS.length || openOnly) {
    // A part of the bench never replaces the day's results file (the docs' tables cite them).
    console.log(`\npartial run (--rows, --servers or --open-only): no results file written`);
    Deno.exit(exitCode);
  }
  const resultsDir = new URL("./results/", import.meta.url);
  await Deno.mkdir(resultsDir, { recursive: true });
  const file = new URL(`${startedAt.toISOString().slice(0, 10)}.json`, resultsDir);
  await Deno.writeTextFile(
    file,
    JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        options: { seconds, rounds, connections, openOnly, engineThreads },
        machine,
        commands: [...commands, ...openCommands],
        skipped,
        servers: tables,
        openModel: { rate, stall },
        reproduce,
      },
      null,
      2,
    ) + "\n",
  );
  console.log("");
  console.log(`results: ${fileURLToPath(file)}`);
  console.log(`reproduce: ${reproduce}`);
} catch (error) {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
  exitCode = 1;
} finally {
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
}
Deno.exit(exitCode);
