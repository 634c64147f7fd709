// --shrink end to end: the acceptance of issue 15 on tests/fixtures/threshold_hang.ts (fails iff
// nservers >= 7), from 40 x 40 x 128, within 2 minutes; then the minimized scenario it writes
// fails on its own and passes one server below.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runCli } from "../_cli.ts";

/** A copy of the fixture in a temporary directory, so the `.min.ts` is written there. */
async function fixtureCopy(): Promise<{ dir: string; file: string }> {
  const dir = await Deno.makeTempDir({ prefix: "wedge-shrink-" });
  const source = await Deno.readTextFile(join(ROOT, "tests/fixtures/threshold_hang.ts"));
  const mod = new URL("../../mod.ts", import.meta.url).href;
  const file = join(dir, "threshold_hang.ts");
  await Deno.writeTextFile(file, source.replace('"../../mod.ts"', JSON.stringify(mod)));
  return { dir, file };
}

Deno.test("--shrink finds nservers=7 and the minimum of the others in under 2 minutes", async () => {
  const { dir, file } = await fixtureCopy();
  try {
    const json = join(dir, "shrink.json");
    const started = performance.now();
    const shrunk = await runCli([
      file,
      "--shrink",
      ...["--set", "nservers=40", "--set", "nclients=40", "--set", "concurrency=128"],
      ...["--seed", "1", "--json", json],
    ], { timeoutMs: 150_000 });
    const seconds = (performance.now() - started) / 1000;
    assert.equal(shrunk.code, 1, shrunk.stdout + shrunk.stderr);
    assert.ok(seconds < 120, `took ${seconds.toFixed(1)} s`);
    assert.match(shrunk.stdout, /Minimal: +nservers=7 nclients=1 concurrency=1 /);
    assert.match(shrunk.stdout, /Failing assertion kept: allRequestsComplete/);
    const result = JSON.parse(await Deno.readTextFile(json));
    assert.equal(result.status, "done");
    assert.deepEqual(result.best, { nservers: 7, nclients: 1, concurrency: 1 });
    assert.ok(result.probes.length >= 5, "the path of probes is in the JSON");

    // NAME.min.ts, next to the scenario: fails on its own, and --set still overrides it
    const min = join(dir, "threshold_hang.min.ts");
    assert.match(shrunk.stdout, /Minimized scenario: .*threshold_hang\.min\.ts/);
    const alone = await runCli([min, "--quiet"]);
    assert.equal(alone.code, 1, alone.stdout + alone.stderr);
    assert.match(alone.stdout, /params: nservers=7 nclients=1 concurrency=1/);
    assert.match(alone.stdout, /FAIL every request completes/);
    const below = await runCli([min, "--quiet", "--set", "nservers=6"]);
    assert.equal(below.code, 0, below.stdout + below.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ctrl-C stops --shrink: the best shape so far, its file, exit 130, no run left", async () => {
  const { dir, file } = await fixtureCopy();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "cli/main.ts", file, "--shrink", "--set", "nservers=40"],
    cwd: ROOT,
    detached: true, // a process group of its own, as a terminal's foreground job
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const killer = setTimeout(() => Deno.kill(-child.pid, "SIGKILL"), 150_000);
  try {
    let stdout = "";
    let sent = false;
    const stderr = new Response(child.stderr).text();
    for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
      stdout += text;
      // probe 2 ended: the start failed and a smaller shape is being tried; Ctrl-C as a terminal
      if (!sent && /^ +2 {2}/m.test(stdout)) {
        Deno.kill(-child.pid, "SIGINT");
        sent = true;
      }
    }
    const { code } = await child.status;
    assert.equal(code, 130, stdout + (await stderr));
    assert.match(stdout, /Shrink stopped by a signal \(the best shape so far\)/);
    assert.match(stdout, /Minimal: +nservers=\d+ nclients=/);
    assert.match(stdout, /may not be minimal/);
    assert.ok((await Deno.stat(join(dir, "threshold_hang.min.ts"))).isFile);
    // every run of the search was reaped: no process names the fixture any more
    const left = await new Deno.Command("pgrep", { args: ["-f", dir], stdout: "piped" }).output();
    assert.equal(new TextDecoder().decode(left.stdout), "");
  } finally {
    clearTimeout(killer);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--shrink from a passing shape says so and exits 0", async () => {
  const { dir, file } = await fixtureCopy();
  try {
    const result = await runCli([
      file,
      "--shrink",
      ...["--set", "nservers=3", "--set", "nclients=2", "--repeat", "1"],
    ]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /did not fail with an assertion in 1 run\(s\): nothing to shrink/);
    assert.equal(await Deno.stat(join(dir, "threshold_hang.min.ts")).catch(() => null), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--shrink refuses --sweep, and its flags without --shrink (exit 2)", async () => {
  const both = await runCli(["hang-server", "--shrink", "--sweep", "nclients=1,2"]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--shrink goes with --repeat/);
  const stray = await runCli(["hang-server", "--budget", "1m"]);
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /--budget goes with --shrink/);
});
