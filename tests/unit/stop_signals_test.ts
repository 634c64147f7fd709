// The one stop-signal listener (run/stop_signals.ts) of the CLI's runs, explorations and
// --shrink: exit codes 128 + N as cli/exit_codes.ts documents them, and what one signal does.
import assert from "node:assert/strict";
import { EXIT } from "../../cli/exit_codes.ts";
import { listenForStopSignals, signalExitCode } from "../../run/stop_signals.ts";

Deno.test("signalExitCode is 128 + N, the codes cli/exit_codes.ts documents", () => {
  assert.equal(signalExitCode("SIGHUP"), EXIT.sighup);
  assert.equal(signalExitCode("SIGINT"), EXIT.sigint);
  assert.equal(signalExitCode("SIGQUIT"), EXIT.sigquit);
  assert.equal(signalExitCode("SIGTERM"), EXIT.sigterm);
});

Deno.test("listenForStopSignals: the first signal aborts and says so; the same again at once counts once", async () => {
  const said: string[] = [];
  const stops = listenForStopSignals((text) => said.push(text));
  try {
    Deno.kill(Deno.pid, "SIGTERM");
    const deadline = Date.now() + 5000;
    while (!stops.signal.aborted && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(stops.signal.aborted, true);
    assert.equal(stops.caught, "SIGTERM");
    Deno.kill(Deno.pid, "SIGTERM"); // within a second: the same stop, delivered twice
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(said.length, 1);
    assert.match(said[0], /^wedge: SIGTERM: stopping the run/);
  } finally {
    stops.close();
  }
});
