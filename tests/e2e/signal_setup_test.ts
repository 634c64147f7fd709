// A Deno process at its open-files limit 500 ms after its start panics in Deno 2.9.6 (its signal
// handling is set up then, and needs two descriptors); setUpSignalHandling() at the start, as the
// server host does, keeps it alive. Should an upgrade of Deno fix the panic, the first test says
// so, and system/signal_setup.ts can go.
import assert from "node:assert/strict";
import { defineScenario, hello, runScenario } from "../../mod.ts";
import { runCommand } from "../_cli.ts";

const FIXTURE = new URL("../fixtures/fds_full_at_start.ts", import.meta.url).pathname;

function runAtLimit(...args: string[]) {
  return runCommand("prlimit", ["--nofile=64", Deno.execPath(), "run", "-A", FIXTURE, ...args], {
    timeoutMs: 20_000,
  });
}

Deno.test("Deno 2.9.6 panics when its signal handling is first set up at the fd limit", async () => {
  const r = await runAtLimit();
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(r.stderr, /panicked at ext\/signals\/lib\.rs.*\n.*Too many open files/);
});

Deno.test("setUpSignalHandling() at the start keeps a process at its fd limit alive", async () => {
  const r = await runAtLimit("setup");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ok: held \d+ descriptors$/m);
});

Deno.test("a user's Deno client that panics so is told why: clientProcessesSucceed's hint", async () => {
  const report = await runScenario(defineScenario({
    name: "panics",
    description: "a Deno client at its fd limit 500 ms after its start",
    timeLimit: "20s",
    servers: [{ behavior: hello() }],
    clients: [{
      name: "fill",
      command: ["prlimit", "--nofile=64", Deno.execPath(), "run", "-A", FIXTURE],
    }],
  }));
  const verdict = report.assertions.find((a) => a.name === "clientProcessesSucceed")!;
  assert.equal(verdict.pass, false, verdict.measured);
  assert.match(
    verdict.detail!,
    /\nhint: Deno panicked setting up its signal handling at its open-files limit/,
  );
});
