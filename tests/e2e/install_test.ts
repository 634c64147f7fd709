// wedge as a user installs it: `deno install -g` from this checkout's path into a temporary root,
// then the installed shim run from a directory outside the checkout: --list, init, the scenario
// init wrote (it must pass as written), and init again (it must refuse to overwrite).
import assert from "node:assert/strict";
import { ROOT } from "../_cli.ts";

const decoder = new TextDecoder();

async function run(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(90_000),
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("wedge installed with deno install runs --list, init and the new scenario from elsewhere", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "wedge-install-" });
  try {
    const installRoot = `${tmp}/root`;
    const work = `${tmp}/work`;
    await Deno.mkdir(work);
    const installed = await run(Deno.execPath(), [
      "install",
      "-g",
      "-A",
      "-n",
      "wedge",
      "--root",
      installRoot,
      "--config",
      `${ROOT}deno.json`,
      `${ROOT}cli/main.ts`,
    ], tmp);
    assert.equal(installed.code, 0, installed.stderr);
    const wedge = `${installRoot}/bin/wedge`;

    const list = await run(wedge, ["--list"], work);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^hang-mre-ok +seed 000's baseline shape/m);

    const init = await run(wedge, ["init", "demo"], work);
    assert.equal(init.code, 0, init.stderr);
    assert.equal(init.stdout, `wedge: wrote ${work}/demo.ts\nRun it with: wedge demo.ts\n`);
    const text = await Deno.readTextFile(`${work}/demo.ts`);
    assert.ok(text.includes(`} from "${new URL("../../mod.ts", import.meta.url).href}";`), text);

    const demo = await run(wedge, ["demo.ts", "--quiet"], work);
    assert.equal(demo.code, 0, demo.stdout + demo.stderr);
    assert.match(demo.stdout, /PASS no stall longer than 5\.00s/);
    assert.match(demo.stdout, /PASS every request completes with a response: 2000\/2000/);
    assert.match(demo.stdout, /PASSED: 2 assertions hold/);

    // The same servers in a server host process: its entry point resolves from wedge's files too.
    const hosted = text.replace("behavior: hello() }", "behavior: hello(), isolate: true }");
    assert.notEqual(hosted, text);
    await Deno.writeTextFile(`${work}/hosted.ts`, hosted);
    const host = await run(wedge, ["hosted.ts", "--quiet"], work);
    assert.equal(host.code, 0, host.stdout + host.stderr);
    assert.match(
      host.stdout,
      /PASS server processes stay up until the run stops them: 1 stayed up/,
    );

    const again = await run(wedge, ["init", "demo"], work);
    assert.equal(again.code, 2);
    assert.equal(again.stderr, "wedge: init: demo.ts already exists; it was left as it is\n");
    assert.equal(await Deno.readTextFile(`${work}/demo.ts`), text);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("the package's dry-run publish ships the entries and no tests, bench or CI files", async () => {
  // --allow-slow-types: the client fleet's input type is inferred from its zod schema
  // (docs/install.md, "Publishing").
  const dry = await run(Deno.execPath(), [
    "publish",
    "--dry-run",
    "--allow-dirty",
    "--allow-slow-types",
  ], ROOT);
  const output = dry.stdout + dry.stderr; // NO_COLOR: no escapes
  assert.equal(dry.code, 0, output);
  const files = [...output.matchAll(/file:\/\/\/\S+/g)].map((m) =>
    m[0].slice(`file://${ROOT}`.length)
  );
  for (
    const file of ["mod.ts", "report.ts", "cli/main.ts", "cli/init.ts", "deno.json", "LICENSE"]
  ) {
    assert.ok(files.includes(file), `${file} missing from ${files.join(" ")}`);
  }
  const unwanted = files.filter((f) =>
    /^(tests|bench|\.ci|\.wedge|node_modules)\/|_test\.ts$/.test(f)
  );
  assert.deepEqual(unwanted, []);
});
