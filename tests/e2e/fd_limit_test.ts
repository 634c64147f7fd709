// `limits: { nofile }`: applied to the runtime from the load's start (and restored), to a command
// before it execs, to a server host; refused at validation below what wedge needs or above the
// hard limit. Each limit is read back from /proc/PID/limits by the test itself.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { defineScenario, hello, runScenario, ScenarioError } from "../../mod.ts";
import { checkLimits } from "../../plan/fd_limits.ts";
import { planRun } from "../../plan/plan.ts";
import { resolveScenario } from "../../scenario/resolve.ts";
import { runCli } from "../_cli.ts";

const NODE_SERVER = fileURLToPath(new URL("../fixtures/node_server.mjs", import.meta.url));

function softLimit(pid: number | "self"): number {
  const limits = Deno.readTextFileSync(`/proc/${pid}/limits`);
  return Number(/^Max open files\s+(\d+)/m.exec(limits)![1]);
}

Deno.test("limits.nofile is the runtime's soft limit during the load, and is restored after", async () => {
  const before = softLimit("self");
  const seen: number[] = [];
  const report = await runScenario(
    defineScenario({
      name: "runtime-limit",
      description: "the run's open-files limit",
      limits: { nofile: 300 },
      servers: [{ behavior: hello() }],
      clients: [{ count: 1, concurrency: 4, requests: 3000 }],
    }),
    { onProgress: () => seen.push(softLimit("self")), progressIntervalMs: 50 },
  );
  assert.ok(seen.length > 0, "no progress sample during the load");
  assert.deepEqual([...new Set(seen)], [300]);
  assert.equal(report.process.fdLimit, 300);
  assert.equal(report.totals.ok, 3000);
  assert.equal(softLimit("self"), before);
});

Deno.test("a command fleet's limits.nofile is set in the process before it execs (node keeps it)", async () => {
  const pidDir = await Deno.makeTempDir();
  const logDir = await Deno.makeTempDir();
  const limits: number[] = [];
  try {
    await runScenario(
      defineScenario({
        name: "command-limit",
        description: "a node:http server under its own open-files limit",
        servers: [{
          name: "node",
          command: ["node", NODE_SERVER, "--port", "{port}", "--pid-dir", pidDir],
          ready: { stdout: /listening on/ },
          limits: { nofile: 123 },
        }],
        clients: [{ count: 1, concurrency: 2, requests: 2000 }],
      }),
      {
        logDir,
        progressIntervalMs: 50,
        onProgress: () => {
          for (const entry of Deno.readDirSync(pidDir)) limits.push(softLimit(Number(entry.name)));
        },
      },
    );
  } finally {
    await Deno.remove(pidDir, { recursive: true });
    await Deno.remove(logDir, { recursive: true });
  }
  assert.ok(limits.length > 0, "the node server's pid was never seen during the load");
  // Node.js raises its soft limit to the hard one as it starts: both were set to 123.
  assert.deepEqual([...new Set(limits)], [123]);
});

function limitIssues(limits: { nofile: number }, fleetLimits?: { nofile: number }): string[] {
  const scenario = resolveScenario(defineScenario({
    name: "low",
    description: "a limit wedge cannot run under",
    limits,
    servers: [{ count: 2, behavior: hello() }, {
      name: "hosted",
      count: 3,
      behavior: hello(),
      isolate: true,
      ...(fleetLimits ? { limits: fleetLimits } : {}),
    }],
    clients: [{ count: 2, requests: 10 }],
  }));
  try {
    checkLimits(scenario, planRun(scenario, { seed: 1, cores: 2 }), {
      hardLimit: 4096,
      openFds: 24,
    });
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${error}`);
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

Deno.test("a limit below wedge's own needs or above the hard limit is refused, naming the bound", () => {
  assert.deepEqual(limitIssues({ nofile: 4000 }), []);
  const low = limitIssues({ nofile: 20 });
  assert.equal(low.length, 2);
  assert.match(low[0], /^limits\.nofile: 20 is below what wedge's runtime needs .*: at least \d+ /);
  assert.match(
    low[1],
    /^limits\.nofile: 20 is below what the server host of "hosted" .* at least 30 /,
  );
  assert.deepEqual(limitIssues({ nofile: 5000 }), [
    "limits.nofile: 5000 is above the hard limit on open files, 4096 (ulimit -Hn): wedge sets the soft limit only; lower it, or raise the hard limit first",
  ]);
  assert.deepEqual(limitIssues({ nofile: 4000 }, { nofile: 29 }), [
    'servers[1].limits.nofile: 29 is below what the server host of "hosted" needs to start: at least 30 (3 listeners, 27 for the Deno process itself and a first connection); raise it',
  ]);
});

Deno.test("the CLI exits 2 for hang-mre --set nofile=16, naming the minimum, before anything starts", async () => {
  const r = await runCli(["hang-mre", "--set", "nofile=16"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /limits\.nofile: 16 is below what wedge's runtime needs .*: at least \d+/);
});
