import assert from "node:assert/strict";
import { initScenario, scenarioTemplate, wedgeSpecifier } from "../../cli/init.ts";
import { UsageError } from "../../scenario/errors.ts";

Deno.test("init imports wedge by the absolute file URL of the checkout's mod.ts", () => {
  assert.equal(wedgeSpecifier("file:///opt/wedge/cli/init.ts"), "file:///opt/wedge/mod.ts");
  const here = new URL("../../mod.ts", import.meta.url).href;
  assert.equal(wedgeSpecifier(new URL("../../cli/init.ts", import.meta.url).href), here);
});

Deno.test("init imports wedge by its JSR package and version when it runs from JSR", () => {
  assert.equal(
    wedgeSpecifier("https://jsr.io/@wedge/wedge/0.1.0/cli/init.ts"),
    "jsr:@wedge/wedge@0.1.0",
  );
  assert.equal(
    wedgeSpecifier("https://example.com/wedge/v1/cli/init.ts"),
    "https://example.com/wedge/v1/mod.ts",
  );
});

Deno.test("the template declares a server fleet, a client fleet and two assertions", () => {
  const text = scenarioTemplate("my-check", { specifier: "jsr:@wedge/wedge@0.1.0" });
  assert.match(text, /} from "jsr:@wedge\/wedge@0\.1\.0";\n/);
  assert.match(text, /name: "my-check",/);
  assert.ok(text.includes('\n  servers: [{ name: "hello", count: 2, behavior: hello() }],\n'));
  assert.ok(text.includes("\n  clients: (p) => [{\n"));
  assert.deepEqual(text.match(/^ {4}(\w+)\(.*\),$/gm), [
    '    noStallLongerThan("5s"),',
    "    allRequestsComplete(),",
  ]);
});

Deno.test("init writes NAME.ts in the working directory, named in kebab case", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    const path = await initScenario("my_check", { cwd, specifier: "file:///x/mod.ts" });
    assert.equal(path, `${cwd}/my_check.ts`);
    const text = await Deno.readTextFile(path);
    assert.match(text, /name: "my-check",/);
    assert.match(text, /Run it with `wedge my_check\.ts`/);
    assert.equal(await initScenario("other.ts", { cwd }), `${cwd}/other.ts`);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("init refuses to overwrite a file, and leaves it as it was", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${cwd}/demo.ts`, "mine\n");
    await assert.rejects(
      () => initScenario("demo", { cwd }),
      (e: Error) =>
        e instanceof UsageError &&
        e.message === "init: demo.ts already exists; it was left as it is",
    );
    assert.equal(await Deno.readTextFile(`${cwd}/demo.ts`), "mine\n");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("init refuses a name that is not a plain file name", async () => {
  const cwd = await Deno.makeTempDir();
  try {
    for (const name of ["", "-x", "a b", "../.ts", "ünï"]) {
      await assert.rejects(() => initScenario(name, { cwd }), UsageError, name);
    }
    assert.deepEqual([...Deno.readDirSync(cwd)], []);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
