// guardSignals (run/signal_guard.ts): a library run with no abort signal of its caller listens with
// the CLI's one stop-signal listener (run/stop_signals.ts), in a process of its own here.
import assert from "node:assert/strict";
import { ROOT } from "../_cli.ts";

const GUARD = new URL("../../run/signal_guard.ts", import.meta.url).href;

/**
 * Runs a program whose guarded run prints "running", then (`stubborn`: never) ends when aborted;
 * sends it `signals`, `gapMs` apart once it runs.
 */
async function guarded(signals: Deno.Signal[], options: { stubborn: boolean; gapMs: number }) {
  const program = `import { guardSignals } from "${GUARD}";
await guardSignals(async (signal) => {
  console.log("running");
  await new Promise((resolve) => {
    if (!${options.stubborn}) signal.addEventListener("abort", resolve);
    setTimeout(resolve, 20_000);
  });
  console.log("finished: aborted " + signal.aborted);
});
await new Promise((resolve) => setTimeout(resolve, 5_000)); // the signal raised again ends it
console.log("outlived its signal");
`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", program],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const reader = child.stdout.getReader();
  let stdout = "";
  while (!stdout.includes("running")) {
    const chunk = await reader.read();
    if (chunk.done) break;
    stdout += new TextDecoder().decode(chunk.value);
  }
  for (const signal of signals) {
    child.kill(signal);
    await new Promise((resolve) => setTimeout(resolve, options.gapMs));
  }
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    stdout += new TextDecoder().decode(chunk.value);
  }
  const status = await child.status;
  clearTimeout(killer);
  const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
  return { status, stdout, stderr };
}

Deno.test("guardSignals: the first stop signal aborts the run, says so, and is raised again once it finished", async () => {
  const r = await guarded(["SIGTERM"], { stubborn: false, gapMs: 0 });
  assert.match(r.stdout, /finished: aborted true/);
  assert.doesNotMatch(r.stdout, /outlived/);
  assert.equal(r.status.signal, "SIGTERM", r.stdout + r.stderr);
  assert.match(
    r.stderr,
    /wedge: SIGTERM: stopping the run \(runScenario returns its partial report\)/,
  );
});

Deno.test("guardSignals: another stop signal later, while the run does not stop, exits 128 + N", async () => {
  const r = await guarded(["SIGINT", "SIGHUP"], { stubborn: true, gapMs: 1200 });
  assert.equal(r.status.code, 129, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /finished/);
  assert.match(r.stderr, /wedge: SIGHUP after SIGINT: server processes killed/);
});
