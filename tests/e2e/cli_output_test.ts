// What the CLI writes, and where, when its output cannot be written or goes somewhere unusual:
// closed pipes, --json -, --json to a place it cannot write, --version, flags that are refused.
import assert from "node:assert/strict";
import { join } from "node:path";
import { type CliResult, ROOT, runCli, runCommand } from "../_cli.ts";

const SCENARIO = "tests/fixtures/cli_node_scenario.ts";

/** Runs `script` in bash from the repository root; `$WEDGE` is the CLI command. */
function bash(script: string): Promise<CliResult> {
  return runCommand("bash", ["-c", script], {
    env: { WEDGE: `${Deno.execPath()} run --allow-all cli/main.ts` },
  });
}

Deno.test("--list into a pipe that is closed (`| head -1`, `| true`) ends quietly with exit 0", async () => {
  // `true` exits before wedge writes anything: every write meets a closed pipe.
  for (const reader of ["head -1", "true"]) {
    const r = await bash(`$WEDGE --list | ${reader}; echo "exit \${PIPESTATUS[0]}" >&2`);
    assert.match(r.stderr, /^exit 0\n$/, `${reader}: ${r.stderr}`);
    if (reader === "head -1") assert.match(r.stdout, /^\S+ +seed \d+/);
  }
});

Deno.test("a run whose stdout is closed still writes its --json report and exits with its verdict", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const json = join(dir, "report.json");
    const r = await bash(
      `$WEDGE ${SCENARIO} --quiet --json ${json} | true; echo "exit \${PIPESTATUS[0]}" >&2`,
    );
    assert.match(r.stderr, /exit 0\n$/, r.stderr);
    assert.ok(!r.stderr.includes("BrokenPipe"), r.stderr);
    const report = JSON.parse(await Deno.readTextFile(json));
    assert.equal(report.totals.completed, 200);
    assert.equal(report.passed, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--json - writes the JSON report to stdout and the text report to stderr", async () => {
  const r = await runCli([SCENARIO, "--quiet", "--json", "-"]);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout); // nothing but the JSON on stdout
  assert.equal(report.schema, "wedge.report");
  assert.equal(report.totals.completed, 200);
  assert.match(r.stderr, /^cli-node: a node:http server/);
  assert.match(r.stderr, /PASSED: 2 assertions hold/);
});

Deno.test("--json to a directory that does not exist exits 2 at once, naming the path, and nothing starts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = join(dir, "no", "such", "report.json");
    const started = performance.now();
    // A 30 s load if it ran.
    const r = await runCli([SCENARIO, "--set", "mode=long", "--json", missing]);
    const ms = performance.now() - started;
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `--json ${missing}: cannot write the report there: its directory ${
          join(dir, "no", "such")
        } does not exist`,
      ),
    );
    assert.ok(!r.stderr.includes("starting"), "nothing was started");
    assert.ok(ms < 20_000, `took ${ms}ms`);
    assert.equal(r.stdout, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--json to a directory, or into a file's path, exits 2 saying what is wrong", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "file"), "");
    for (
      const [path, why] of [
        [dir, /it is a directory/],
        [join(dir, "file", "report.json"), /file is not a directory/],
      ] as [string, RegExp][]
    ) {
      const r = await runCli([SCENARIO, "--json", path]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, why);
    }
    const entries = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(entries, ["file"], "the check leaves nothing behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--version prints wedge's version from deno.json and Deno's", async () => {
  const { version } = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const r = await runCli(["--version"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^wedge ${version.replaceAll(".", "\\.")}\\n`));
  assert.match(r.stdout, new RegExp(`\\ndeno ${Deno.version.deno.replaceAll(".", "\\.")} \\(v8 `));
});

Deno.test("--seed with no digits (empty, blank, 1e3) and a bad --keep-logs exit 2 naming the flag", async () => {
  for (
    const [args, env, pattern] of [
      [["--seed", ""], {}, /--seed "": expected an integer from 0 to 4294967295/],
      [["--seed", " "], {}, /--seed " ": expected an integer/],
      [["--seed", "1e3"], {}, /--seed "1e3": expected an integer/],
      [["--keep-logs", "0"], {}, /--keep-logs "0": expected a whole number of runs, at least 1/],
      [[], { WEDGE_KEEP_LOGS: "" }, /WEDGE_KEEP_LOGS "": expected a whole number of runs/],
    ] as [string[], Record<string, string>, RegExp][]
  ) {
    const r = await runCli([SCENARIO, ...args], { env });
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.ok(!r.stderr.includes("starting"), "nothing was started");
  }
});

/** Makes `.wedge/logs/old-I` directories in `cwd`, oldest first. */
async function oldLogDirs(cwd: string, count: number): Promise<string> {
  const logs = join(cwd, ".wedge", "logs");
  for (let i = 0; i < count; i++) {
    const name = join(logs, `old-${String(i + 1).padStart(2, "0")}`);
    await Deno.mkdir(name, { recursive: true });
    await Deno.utime(name, 1_000_000 + i, 1_000_000 + i);
  }
  return logs;
}

/** Runs the CLI on the fixture scenario from `cwd`, quiet, with these flags; it must pass. */
async function runFrom(cwd: string, flags: string[]): Promise<void> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      `--config=${join(ROOT, "deno.json")}`,
      join(ROOT, "cli/main.ts"),
      join(ROOT, SCENARIO),
      "--quiet",
      ...flags,
    ],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
}

Deno.test("a run keeps the log directories of the last --keep-logs N runs in .wedge/logs", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const logs = await oldLogDirs(cwd, 4);
    await runFrom(cwd, ["--keep-logs", "3"]);
    const left = [...Deno.readDirSync(logs)].map((e) => e.name).sort();
    // The two newest earlier runs, and this run's own.
    assert.equal(left.length, 3, left.join(" "));
    assert.match(left[0], /^cli-node-\d{4}-\d\d-\d\dT/);
    assert.deepEqual(left.slice(1), ["old-03", "old-04"]);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("an exploration passes --keep-logs to its runs (each run used to prune to the default 50)", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const logs = await oldLogDirs(cwd, 52);
    await runFrom(cwd, ["--repeat", "2", "--keep-logs", "60"]);
    const left = [...Deno.readDirSync(logs)].map((e) => e.name);
    assert.equal(left.length, 54, "52 earlier runs and the two runs of the exploration");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("--junit, --html and --all-servers are for one run: refused with an exploration, nothing runs", async () => {
  for (const flags of [["--junit", "/tmp/x.xml"], ["--html", "/tmp/x.html"], ["--all-servers"]]) {
    for (const explore of [["--repeat", "2"], ["--shrink"]]) {
      const r = await runCli([SCENARIO, ...explore, ...flags]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`^wedge: ${flags[0]} is for one run's report: not with`));
      assert.doesNotMatch(r.stderr + r.stdout, /starting run/);
    }
  }
});
