import assert from "node:assert/strict";
import { ROOT, runCli } from "../_cli.ts";

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { env });

Deno.test("a failing assertion exits 1 and prints FAIL with the measured value", async () => {
  const r = await cli(["tests/fixtures/slow_latency.ts", "--quiet"]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /PASS every request completes with a response: 20\/20 got a response/);
  assert.match(r.stdout, /FAIL p99 latency below 1\.00ms: p99 = \d+(\.\d+)?ms/);
  assert.match(r.stdout, /FAILED: 1 of 2 assertions failed/);
  assert.equal(r.stderr, "", "--quiet prints nothing on stderr");
});

Deno.test("the same scenario passes with --set and exits 0; --json writes the versioned report", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const json = `${dir}/report.json`;
    const r = await cli([
      "tests/fixtures/slow_latency.ts",
      "--set",
      "bound=5s",
      "--json",
      json,
      "--seed",
      "5",
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /PASSED: 2 assertions hold/);
    const report = JSON.parse(await Deno.readTextFile(json));
    assert.equal(report.schema, "wedge.report");
    assert.equal(report.version, 1);
    assert.equal(report.seed, 5);
    assert.equal(report.scenario.file, "tests/fixtures/slow_latency.ts");
    assert.deepEqual(report.scenario.params, { bound: "5s" });
    assert.equal(report.totals.completed, 20);
    assert.equal(report.passed, true);
    assert.match(r.stderr, /wedge: starting 1 servers/);
    assert.match(r.stderr, /report written to/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an invalid scenario exits 2 with the file and the field path, and nothing runs", async () => {
  const r = await cli(["tests/fixtures/invalid_concurrency.ts"]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /Invalid scenario "invalid-concurrency" \(tests\/fixtures\/invalid_concurrency\.ts\)/,
  );
  assert.match(r.stderr, /clients\[0\]\.concurrency: expected a positive integer, got -3/);
  assert.ok(!r.stderr.includes("starting"), "nothing was started");
  assert.ok(!r.stderr.includes("    at "), "no stack trace for bad input");
  assert.equal(r.stdout, "");
});

Deno.test("a bad --set value exits 2 naming the param and what it accepts", async () => {
  const r = await cli(["hang-mre-ok", "--set", "nclients=-1"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /params\.nclients: cannot use "-1": accepts integer > 0 \(default 10\)/);
});

Deno.test("a module that does not export a scenario exits 2 and says what is expected", async () => {
  const r = await cli(["tests/fixtures/not_a_scenario.ts"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /expected `export default defineScenario\(\{\.\.\.\}\)` in the file/);
});

Deno.test("an unknown scenario name exits 2 and lists the built-in ones", async () => {
  const r = await cli(["hang-mr"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no built-in scenario named "hang-mr"/);
  assert.match(r.stderr, /hang-mre, hang-mre-ok/);
});

Deno.test("usage errors exit 2: no scenario, an unknown flag, a bad seed, a malformed --set", async () => {
  for (
    const [args, pattern] of [
      [[], /which scenario\?/],
      [["hang-mre", "--fast"], /Unknown option '--fast'/],
      [["hang-mre", "--seed", "x"], /--seed "x": expected an integer/],
      [["hang-mre", "--set", "nclients"], /--set nclients: expected key=value/],
    ] as [string[], RegExp][]
  ) {
    const r = await cli(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, pattern);
  }
});

Deno.test("--list prints every built-in scenario with its description and params", async () => {
  const r = await cli(["--list"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^hang-mre +seed 000's failing shape/m);
  assert.match(r.stdout, /^hang-mre-ok +seed 000's baseline shape/m);
  assert.match(r.stdout, /params: nrequests=1000000 nclients=40 nservers=40 concurrency=128/);
});

Deno.test("--help documents every flag and the exit codes", async () => {
  const r = await cli(["--help"]);
  assert.equal(r.code, 0);
  for (
    const flag of [
      "--set",
      "--seed",
      "--json",
      "--junit",
      "--html",
      "--quiet",
      "--list",
      "--help",
      "--all-servers",
      "--version",
      "--keep-logs",
    ]
  ) {
    assert.ok(r.stdout.includes(flag), flag);
  }
  assert.match(r.stdout, /2 +bad usage or an invalid scenario/);
  assert.match(r.stdout, /129 +aborted by SIGHUP, 130 by SIGINT, 131 by SIGQUIT, 143 by SIGTERM/);
});

Deno.test("relative paths are resolved from where the user typed the command (INIT_CWD)", async () => {
  const r = await cli(["fixtures/slow_latency.ts", "--quiet", "--set", "bound=5s"], {
    INIT_CWD: `${ROOT}tests`,
  });
  assert.equal(r.code, 0, r.stderr);
});

Deno.test("a built-in scenario runs from the CLI with small params and prints the seed's Throughput line", async () => {
  const r = await cli([
    "hang-mre-ok",
    "--set",
    "nrequests=2000",
    "--set",
    "nclients=2",
    "--set",
    "nservers=2",
    "--set",
    "concurrency=8",
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Throughput: [\d.]+ request\/s \[2000 in [\d.]+s\]/);
  assert.match(r.stderr, /\[ *[\d.]+m?s\] \d+\/2000/, "progress lines without a terminal");
});

async function hasPrlimit(): Promise<boolean> {
  try {
    return (await new Deno.Command("prlimit", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .output()).success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "under a low fd limit the servers' accept loops fail (EMFILE): reported, not a crash",
  ignore: Deno.build.os !== "linux" || !(await hasPrlimit()),
  async fn() {
    const output = await new Deno.Command("prlimit", {
      args: [
        "--nofile=256",
        Deno.execPath(),
        "run",
        "--allow-all",
        "cli/main.ts",
        "tests/fixtures/fd_starved.ts",
        "--quiet",
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 1, stdout + stderr);
    assert.ok(!stderr.includes("Uncaught"), stderr);
    assert.match(stdout, /STOPPED: .*Too many open files \(os error 24\)/);
    assert.match(
      stdout,
      /stopped accepting connections .* into the load: .*Too many open files .*\(open fds \d+ of limit 256\)/,
    );
    assert.match(
      stdout,
      /too_many_open_files: .*\n(.|\n)*too_many_open_files: a process reached its file-descriptor limit/,
    );
    assert.match(stdout, /FAIL every request completes with a response/);
  },
});
