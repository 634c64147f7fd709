import assert from "node:assert/strict";
import { MemorySampler, readTreeMemory } from "../runtime/memory_sampler.ts";

Deno.test("reads this process's VmRSS and VmHWM", () => {
  const mine = readTreeMemory(Deno.pid)!;
  assert.ok(mine.rssBytes > 10 * 1024 * 1024, `rss ${mine.rssBytes}`);
  assert.ok(mine.peakRssBytes! >= mine.rssBytes * 0.5);
});

Deno.test("a process tree's figure includes its children; a gone process reads null", async () => {
  // sh stays the parent of a sleep (two commands, so sh does not exec the sleep).
  const child = new Deno.Command("sh", {
    args: ["-c", "sleep 5; true"],
    stdout: "null",
    stderr: "null",
    detached: true, // its own process group, so the sleep is killed with it
  }).spawn();
  try {
    let tree = readTreeMemory(child.pid)!;
    for (
      let i = 0;
      i < 50 && tree.rssBytes === readTreeMemory(child.pid, { children: false })!.rssBytes;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20)); // until sh has forked the sleep
      tree = readTreeMemory(child.pid)!;
    }
    const alone = readTreeMemory(child.pid, { children: false })!;
    assert.ok(tree.rssBytes > alone.rssBytes, `tree ${tree.rssBytes} vs alone ${alone.rssBytes}`);
  } finally {
    Deno.kill(-child.pid, "SIGKILL");
    await child.status;
  }
  assert.equal(readTreeMemory(child.pid), null);
});

Deno.test("the sampler keeps a timeline on its interval and stops", async () => {
  const sampler = new MemorySampler(
    [{ name: "runtime", role: "runtime", pid: Deno.pid, fleet: null }],
    { intervalMs: 20 },
  );
  sampler.start();
  await new Promise((r) => setTimeout(r, 130));
  sampler.stop();
  const taken = sampler.timeline.length;
  assert.ok(taken >= 4 && taken <= 9, `${taken} samples`);
  assert.ok(sampler.timeline.every((s, i) => i === 0 || s.atMs >= sampler.timeline[i - 1].atMs));
  assert.ok(sampler.peakRssBytes[0]! > 0);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(sampler.timeline.length, taken);
});
