// The built-in `emfile` scenario: the same fleet shape under the same open-files limit as
// Deno.serve servers (a server host) and as node:http servers (a command fleet, another runtime):
// the Deno fleet's accept loops die on EMFILE and it refuses the probes after the load; the node
// fleet keeps accepting and answers them.
import assert from "node:assert/strict";
import { runCli } from "../_cli.ts";

Deno.test("emfile exits 1 naming the Deno fleet as stopped accepting, and says what the node fleet did", async () => {
  const r = await runCli(["emfile", "--set", "requests=1500"]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const line = r.stdout.split("\n").find((l) => l.includes("FAIL every server still accepts"));
  assert.ok(line, r.stdout);
  assert.match(
    line,
    /deno: 0 of 2 accept after the load, 5 probes over 5\.00s: connection refused, 2 stopped accepting during the load, the first at [\d.]+m?s \(Error: Too many open files \(os error 24\)\)/,
    r.stdout, // the whole report: what the line left out
  );
  assert.match(
    line,
    /node: 2 of 2 accept after the load, (at the first probe|the last after [\d.]+m?s of probing), its process peaked at \d+ open fds \(limit 256\), 1500 requests completed against it/,
    r.stdout,
  );
  assert.match(r.stdout, /stopped accepting: deno\n/);
  assert.match(
    r.stdout,
    /deno\[0\] .*after the load: NOT ACCEPTING \(5 probes over 5\.00s: connection refused\)/,
  );
  assert.match(r.stdout, /node\[0\] .*after the load: answered 200 \(probe \d/);
  assert.match(r.stdout, /Server process deno \(host\) .*; fd limit 256\n/);
});
