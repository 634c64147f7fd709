// --repeat, --sweep, --cells, --cell, wedge merge and wedge k8s through the CLI, each run a child
// process: quick shapes of hang-mre-ok and hang-server, and the node:http command fixture for Ctrl-C.
import assert from "node:assert/strict";
import { join } from "node:path";
import { Job } from "kubernetes-models/batch/v1";
import { parse } from "yaml";
import type { ExploreDocument } from "../../explore/document.ts";
import { mergedP99 } from "../../explore/summary.ts";
import { ROOT, runCli } from "../_cli.ts";

const QUICK = ["hang-mre-ok", "--set", "nrequests=1000"];
// Stalls within a few seconds: server 0 never answers every 5th request, a 1 s stall bound.
const STALLING = [
  "hang-server",
  "--set",
  "hangEvery=5",
  "--set",
  "nrequests=2000",
  "--set",
  "stallBound=1s",
];

async function tempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wedge-explore-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("--repeat 2: a line per run with seeds S, S+1, a summary, every run's report in the JSON; exit 0", async () => {
  await tempDir(async (dir) => {
    const json = join(dir, "repeat.json");
    const r = await runCli([...QUICK, "--repeat", "2", "--seed", "5", "--json", json], {
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^run 1\/2 seed 5: PASS completed; \d+ req\/s, p99 /m);
    assert.match(r.stdout, /^run 2\/2 seed 6: PASS completed/m);
    assert.match(r.stdout, /^Passed 2 of 2 runs; failure rate 0% \(95% interval 0%-65\.8%\)$/m);
    const doc: ExploreDocument = JSON.parse(await Deno.readTextFile(json));
    assert.equal(doc.schema, "wedge.explore");
    assert.deepEqual(doc.runs.map((run) => run.report?.seed), [5, 6]);
    assert.ok(doc.runs.every((run) => typeof run.report?.latencyHistogram === "string"));
    assert.equal(doc.summary.passed, 2);
  });
});

Deno.test("--repeat 2 of a stalling run: 0 of 2, both seeds failing, and each replay command fails the same way", async () => {
  const r = await runCli([...STALLING, "--repeat", "2", "--seed", "12"], { timeoutMs: 120_000 });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^run 1\/2 seed 12: FAIL stalled \(noStallLongerThan: /m);
  assert.match(r.stdout, /^Passed 0 of 2 runs; failure rate 100% \(95% interval 34\.2%-100%\)$/m);
  assert.match(r.stdout, /^Failing seeds: 12, 13$/m);
  const replays = [...r.stdout.matchAll(/^ {4}deno task scenario (.+)$/gm)].map((m) =>
    m[1].split(" ")
  );
  assert.equal(replays.length, 2);
  assert.deepEqual(replays[1], [
    "hang-server",
    "--seed",
    "13",
    "--set",
    "hangEvery=5",
    "--set",
    "nrequests=2000",
    "--set",
    "stallBound=1s",
  ]);
  const replay = await runCli([...replays[1], "--quiet"], { timeoutMs: 60_000 });
  assert.equal(replay.code, 1);
  assert.match(replay.stdout, /seed 13/);
  assert.match(replay.stdout, /FAIL no stall longer than 1\.00s/);
});

Deno.test("--until-fail stops at the first failing run", async () => {
  const r = await runCli([...STALLING, "--repeat", "3", "--until-fail"], { timeoutMs: 120_000 });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^Passed 0 of 1 run; /m);
  assert.match(r.stdout, /^Not run: 2 of 3 cells \(1, 2\)$/m);
  assert.doesNotMatch(r.stdout, /^run 2\/3/m);
});

Deno.test("--sweep values are checked by the scenario before anything runs: exit 2 naming key and value", async () => {
  const r = await runCli([...QUICK, "--sweep", "nclients=5,-3", "--sweep", "concurrency=16"]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /--sweep nclients=5,-3: the value -3 cannot be used: params\.nclients/);
  assert.doesNotMatch(r.stdout, /^run /m);
});

Deno.test("--cells lists index, params and seed without running; --cell out of range is exit 2", async () => {
  const args = [...QUICK, "--sweep", "nclients=5,10", "--repeat", "2", "--seed", "40"];
  const r = await runCli([...args, "--cells"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      "cell 0: nrequests=1000 nclients=5 seed 40",
      "cell 1: nrequests=1000 nclients=5 seed 41",
      "cell 2: nrequests=1000 nclients=10 seed 40",
      "cell 3: nrequests=1000 nclients=10 seed 41",
      "",
    ].join("\n"),
  );
  const out = await runCli([...args, "--cell", "4"]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /--cell 4: .*cells 0 to 3; see --cells/);
});

/** Runs the Job's container command here, as pod `index` would (paths mapped to this checkout). */
async function runPod(command: string[], index: number, results: string) {
  const args = command.slice(1).map((a) =>
    a.replace("/wedge/cli/main.ts", join(ROOT, "cli/main.ts")).replace("/results", results)
      .replace("$(JOB_COMPLETION_INDEX)", String(index))
  );
  const output = await new Deno.Command(Deno.execPath(), {
    args: args.slice(0), // "run", "--allow-all", main, ...
    cwd: ROOT,
    env: { JOB_COMPLETION_INDEX: String(index), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  return output.code;
}

Deno.test("a simulated Indexed Job (a process per JOB_COMPLETION_INDEX) merged equals the local sweep, cell by cell", async () => {
  await tempDir(async (dir) => {
    const plan = [...QUICK, "--sweep", "nclients=2,4", "--sweep", "concurrency=4,8", "--seed", "3"];
    const k8s = await runCli(["k8s", ...plan, "--parallelism", "2"]);
    assert.equal(k8s.code, 0, k8s.stderr);
    const job = parse(k8s.stdout);
    new Job(job).validate();
    assert.equal(job.spec.completions, 4);
    const command: string[] = job.spec.template.spec.containers[0].command;
    assert.equal(command[0], "deno");
    const results = join(dir, "results");
    await Deno.mkdir(results);
    for (const pair of [[0, 1], [2, 3]]) { // parallelism 2
      const codes = await Promise.all(pair.map((i) => runPod(command, i, results)));
      assert.deepEqual(codes, [0, 0]);
    }
    const mergedJson = join(dir, "merged.json");
    const merged = await runCli(["merge", results, "--json", mergedJson]);
    assert.equal(merged.code, 0, merged.stdout + merged.stderr);
    assert.match(
      merged.stdout,
      /^pass rate +concurrency=4 +concurrency=8\nnclients=2 +100% +100%\nnclients=4 +100% +100%$/m,
    );
    const localJson = join(dir, "local.json");
    const local = await runCli([...plan, "--json", localJson], { timeoutMs: 180_000 });
    assert.equal(local.code, 0, local.stdout + local.stderr);
    const a: ExploreDocument = JSON.parse(await Deno.readTextFile(mergedJson));
    const b: ExploreDocument = JSON.parse(await Deno.readTextFile(localJson));
    assert.deepEqual(a.plan, b.plan);
    const counts = (d: ExploreDocument) =>
      d.rows.map((r) => [r.point, r.runs, r.passed, r.outcome]);
    assert.deepEqual(counts(a), counts(b));
    assert.deepEqual(a.runs.map((r) => r.cell), b.runs.map((r) => r.cell));
    assert.deepEqual(
      a.runs.map((r) => r.report?.totals.completed),
      b.runs.map((r) => r.report?.totals.completed),
    );
    // Latency merged from the pods' histograms, exactly: each row's p99 is its runs' histograms added.
    a.rows.forEach((row, i) => assert.equal(row.p99Ms, mergedP99(a.runs.slice(i, i + 1))));
    // And the local sweep's runs, split into cell files, merge into the local table itself.
    const split = join(dir, "split");
    await Deno.mkdir(split);
    for (const run of b.runs) {
      const cell = {
        schema: "wedge.cell",
        version: 1,
        plan: b.plan,
        requiredPassRate: null,
        result: run,
      };
      await Deno.writeTextFile(join(split, `cell-${run.cell.index}.json`), JSON.stringify(cell));
    }
    const again = await runCli(["merge", split, "--json", "-"]);
    assert.deepEqual(JSON.parse(again.stdout).rows, b.rows);
    const summaryLine = (text: string) => text.split("\n").find((l) => l.startsWith("Passed "));
    assert.equal(summaryLine(merged.stdout), summaryLine(local.stdout));
  });
});

Deno.test("Ctrl-C during --repeat stops the current run's process group, prints the summary so far, exits 130", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "cli/main.ts",
      "tests/fixtures/cli_node_scenario.ts",
      "--set",
      "mode=long",
      "--repeat",
      "3",
    ],
    cwd: ROOT,
    detached: true, // a group of its own, as a terminal's foreground job
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  const started = performance.now();
  while (nodeServers().length === 0) {
    assert.ok(performance.now() - started < 30_000, "the first run's node server never started");
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1000));
  Deno.kill(-child.pid, "SIGINT"); // the cell's own group does not get it, as on a terminal
  const signalled = performance.now();
  const r = await output;
  // The run's load lasts 30 s: stopping it, not waiting for it, ends the command this soon.
  assert.ok(performance.now() - signalled < 15_000, "the current run was stopped, not awaited");
  const stdout = new TextDecoder().decode(r.stdout);
  assert.equal(r.code, 130, stdout + new TextDecoder().decode(r.stderr));
  assert.match(stdout, /^cell 0 \(seed \d+\) was stopped: not counted$/m);
  assert.match(stdout, /^Passed 0 of 0 runs$/m);
  assert.match(stdout, /^Not run: 3 of 3 cells \(0, 1, 2\)$/m);
  assert.deepEqual(nodeServers(), [], "the cell's node server was stopped");
});

/** PIDs of the processes running tests/fixtures/cli_node_server.mjs. */
function nodeServers(): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if (Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).includes("cli_node_server.mjs")) {
        pids.push(Number(entry.name));
      }
    } catch { /* gone */ }
  }
  return pids;
}

Deno.test("--cell env --json - prints the cell report as one line; merge reads it from a pod log and lists the cell not run", async () => {
  await tempDir(async (dir) => {
    const args = [...QUICK, "--sweep", "nclients=2,4", "--cell", "env", "--json", "-", "--quiet"];
    const r = await runCli(args, { env: { JOB_COMPLETION_INDEX: "1" }, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 1, "stdout is the cell report alone");
    const cell = JSON.parse(lines[0]);
    assert.equal(cell.schema, "wedge.cell");
    assert.deepEqual(cell.result.cell.set, { nrequests: "1000", nclients: "4" });
    assert.match(r.stderr, /^run 2\/2 nclients=4 seed 1: PASS/m);
    await Deno.writeTextFile(join(dir, "pod-1.log"), r.stderr + r.stdout); // as kubectl logs mixes them
    const merged = await runCli(["merge", dir]);
    assert.equal(merged.code, 1, merged.stdout + merged.stderr);
    assert.match(merged.stdout, /^Passed 1 of 1 run; /m);
    assert.match(merged.stdout, /^Not run: 1 of 2 cells \(0\)$/m);
    assert.match(merged.stdout, /^FAILED: 1 of 2 cells did not run$/m);
  });
});
