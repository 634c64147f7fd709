import assert from "node:assert/strict";
import { runCli } from "../_cli.ts";

const MOD = new URL("../../mod.ts", import.meta.url).href;

/** Writes a scenario file with `body` as its definition's fields, runs the CLI on it, removes it. */
async function runScenarioFile(name: string, body: string) {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/${name}.ts`;
  try {
    await Deno.writeTextFile(
      file,
      `import { defineScenario, hang, hello, perServer } from "${MOD}";
export default defineScenario({
  name: "${name}",
  description: "a misspelt field at each level",
${body}
});
`,
    );
    return { file, ...(await runCli([file, "--quiet"])) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a misspelt field of any fleet, behaviour, limits or request: exit 2, file, path and did-you-mean", async () => {
  const r = await runScenarioFile(
    "typos",
    `  limits: { nofile: 4096, nofiel: 1 },
  network: { tcpTwReuse: 0, ephemeralPort: "49152-65535" },
  servers: [
    { cout: 2, behavior: hello() },
    { name: "own", command: ["./server", "{port}"], redy: { port: true } },
    { name: "there", url: "http://127.0.0.1:8080/", protcol: "h1" },
    { name: "odd", behavior: { kind: "hello", status: 200, body: "", headers: {}, stauts: 201 } },
    { name: "capped", limits: { nofle: 512 } },
  ],
  clients: [
    { requests: 10, concurency: 4, request: { pth: "/" }, pool: { maxIdelPerHost: 0 } },
    { command: ["./client", "{url}"], duraton: "1s" },
    { stages: [{ duration: "1s", rate: "10/s", shape: "linear" }], target: "servers" },
  ],`,
  );
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.includes(`(${r.file})`), r.stderr);
  const expected = [
    'limits.nofiel: unknown field "nofiel" (did you mean "nofile"?)',
    'network.ephemeralPort: unknown field "ephemeralPort" (did you mean "ephemeralPorts"?)',
    'servers[0].cout: unknown field "cout" (did you mean "count"?)',
    'servers[1].redy: unknown field "redy" (did you mean "ready"?)',
    'servers[2].protcol: unknown field "protcol" (did you mean "protocol"?)',
    'servers[3].behavior.stauts: unknown field "stauts" (did you mean "status"?)',
    'servers[4].limits.nofle: unknown field "nofle" (did you mean "nofile"?)',
    'clients[0].concurency: unknown field "concurency" (did you mean "concurrency"?)',
    'clients[0].request.pth: unknown field "pth" (did you mean "path"?)',
    'clients[0].pool.maxIdelPerHost: unknown field "maxIdelPerHost" (did you mean "maxIdlePerHost"?)',
    'clients[1].duraton: unknown field "duraton" (did you mean "duration"?)',
    'clients[2].stages[0].shape: unknown field "shape" (known fields: duration, rate)',
  ];
  for (const line of expected) assert.ok(r.stderr.includes(`  ${line}\n`), `${line}\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /Unrecognized key|check the spelling/);
  assert.doesNotMatch(r.stdout + r.stderr, /load started|starting/);
});

Deno.test("a misspelt field of the scenario itself: exit 2, file and did-you-mean", async () => {
  const r = await runScenarioFile(
    "top-typo",
    `  servers: [{ behavior: hello() }],
  clients: [{ requests: 1 }],
  asserts: [],`,
  );
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.includes(`(${r.file})`), r.stderr);
  assert.match(r.stderr, /\n {2}asserts: unknown field "asserts" \(did you mean "assert"\?\)\n/);
});

Deno.test("a misspelt option of a behaviour constructor: exit 2, the file and the call's line", async () => {
  const r = await runScenarioFile(
    "option-typo",
    `  servers: [
    { count: 2, behavior: perServer((i) => i === 0 ? hello() : hang({ evry: 3 })) },
  ],
  clients: [{ requests: 1 }],`,
  );
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.includes(`(${r.file})`), r.stderr);
  // Line 6 of the file: the import, the export, name, description, "servers: [", the fleet.
  const line = `servers[0].behavior: perServer(...) threw for server 1: hang() at ${r.file}:6: ` +
    'unknown option "evry" (did you mean "every"?)';
  assert.ok(r.stderr.includes(`  ${line}\n`), `${line}\n${r.stderr}`);
  assert.doesNotMatch(r.stdout + r.stderr, /load started|starting/);
});

Deno.test("a misspelt option at the top of a scenario file: said as such, not as a module that failed", async () => {
  const r = await runScenarioFile(
    "option-typo-top",
    `  servers: [{ behavior: hang({ evry: 3 }) }],
  clients: [{ requests: 1 }],`,
  );
  assert.equal(r.code, 2, r.stderr);
  assert.ok(
    r.stderr.includes(`  hang() at ${r.file}:5: unknown option "evry" (did you mean "every"?)\n`),
    r.stderr,
  );
  assert.doesNotMatch(r.stderr, /could not load the module/);
});
