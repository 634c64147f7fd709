// The one supervisor for child processes (system/child_process.ts): logs, a piped stdin, the
// stop (SIGTERM, then SIGKILL), and kill() of what a leader left in its group.
import assert from "node:assert/strict";
import { SpawnError, spawnSupervised } from "../../system/child_process.ts";
import { groupAlive, hasTrackedGroups } from "../../system/process_reaper.ts";

function childTest(name: string, fn: (logDir: string) => Promise<void>): void {
  Deno.test({
    name,
    ignore: Deno.build.os !== "linux",
    async fn() {
      const logDir = await Deno.makeTempDir({ prefix: "wedge_child_process_" });
      try {
        await fn(logDir);
      } finally {
        await Deno.remove(logDir, { recursive: true });
      }
    },
  });
}

childTest(
  "a piped stdin reaches the child, and only the lines onStdoutLine returns are logged",
  async (logDir) => {
    const script = 'read -r x; echo "@@$x"; echo plain; echo oops >&2';
    const seen: string[] = [];
    const child = await spawnSupervised(["sh", "-c", script], {
      logDir,
      logName: "talker",
      stdin: "piped",
      onStdoutLine: (line) => (seen.push(line), line.startsWith("@@") ? null : line),
    });
    const writer = child.stdin!.getWriter();
    await writer.write(new TextEncoder().encode("hello\n"));
    await writer.close();
    const exit = await child.exited;
    assert.deepEqual({ code: exit.code, signal: exit.signal, tail: exit.stderrTail }, {
      code: 0,
      signal: null,
      tail: "oops",
    });
    assert.deepEqual(seen, ["@@hello", "plain"]);
    assert.equal(await Deno.readTextFile(`${logDir}/talker.stdout.log`), "plain\n");
    assert.equal(await Deno.readTextFile(child.stderrLog), "oops\n");
    assert.equal((await child.kill()).forced, false);
  },
);

childTest("stop SIGKILLs a group that ignores SIGTERM once its timeout passes", async (logDir) => {
  const child = await spawnSupervised(
    ["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"],
    { logDir, logName: "stubborn" },
  );
  // The trap is set before "ready" is printed.
  while (!(await Deno.readTextFile(child.stdoutLog)).includes("ready")) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const started = performance.now();
  const { forced, exit } = await child.stop({ timeoutMs: 300 });
  assert.equal(forced, true);
  assert.equal(exit?.signal, "SIGKILL");
  assert.ok(performance.now() - started >= 300);
  assert.equal(groupAlive(child.pid), false);
});

childTest("kill() ends what the leader left running in its group", async (logDir) => {
  const child = await spawnSupervised(["sh", "-c", "sleep 30 & echo $!"], {
    logDir,
    logName: "leaver",
  });
  const exit = await child.exited;
  assert.equal(exit.code, 0);
  assert.equal(groupAlive(child.pid), true, "the sleep should outlive its leader");
  const { forced } = await child.kill();
  assert.equal(forced, true);
  assert.equal(groupAlive(child.pid), false);
  assert.equal(hasTrackedGroups(), false);
});

childTest(
  "a missing program is a SpawnError saying why, and nothing is left tracked",
  async (logDir) => {
    const error = await spawnSupervised(["./no-such-program"], { logDir, logName: "missing" })
      .catch((e) => e);
    assert.ok(error instanceof SpawnError);
    assert.equal(error.message, "no such file");
    assert.equal(hasTrackedGroups(), false);
  },
);
