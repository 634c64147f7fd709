import assert from "node:assert/strict";
import { MemorySampler, readTreeMemory } from "../../system/memory_sampler.ts";

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
    // Wait until sh has forked the sleep and both sit still (their memory stops changing).
    const childrenFile = `/proc/${child.pid}/task/${child.pid}/children`;
    let sleepPid = 0;
    for (let i = 0; i < 100 && !sleepPid; i++) {
      await new Promise((r) => setTimeout(r, 20));
      sleepPid = Number(Deno.readTextFileSync(childrenFile).trim().split(" ")[0]) || 0;
    }
    assert.ok(sleepPid, "sh never started its sleep");
    // Three separate reads of two live processes can differ by a page or two (sleep may still be
    // faulting in its libraries): read until they agree within 4 pages, 50 times at most.
    const slack = 4 * 4096;
    let tree = 0, sh = 0, sleep = 0;
    for (let i = 0; i < 50; i++) {
      tree = readTreeMemory(child.pid)!.rssBytes;
      sh = readTreeMemory(child.pid, { children: false })!.rssBytes;
      sleep = readTreeMemory(sleepPid, { children: false })!.rssBytes;
      if (Math.abs(tree - (sh + sleep)) <= slack) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // The slack is far below sleep's own RSS, so a tree without its children cannot pass.
    assert.ok(sleep > 4 * slack, `sleep's rss ${sleep}`);
    assert.ok(
      Math.abs(tree - (sh + sleep)) <= slack,
      `tree ${tree} != sh ${sh} + sleep ${sleep}`,
    );
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
  const started = performance.now();
  sampler.start();
  for (let i = 0; i < 100 && sampler.timeline.length < 5; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  sampler.stop();
  const elapsed = performance.now() - started;
  const taken = sampler.timeline.length;
  // One at start, then one per interval at most.
  assert.ok(taken >= 5 && taken <= elapsed / 20 + 1, `${taken} samples in ${elapsed}ms`);
  assert.ok(sampler.timeline.every((s, i) => i === 0 || s.atMs >= sampler.timeline[i - 1].atMs));
  assert.ok(sampler.peakRssBytes[0]! > 0);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(sampler.timeline.length, taken);
});

Deno.test("the sampler's timeline stays bounded, and it reads each process's fds and fd limit", async () => {
  const sampler = new MemorySampler(
    [{ name: "runtime", role: "runtime", pid: Deno.pid, fleet: null }],
    { intervalMs: 2, maxSamples: 10 },
  );
  let taken = 0;
  const sample = sampler.sample.bind(sampler);
  sampler.sample = () => (taken++, sample());
  sampler.start();
  while (taken < 60) await new Promise((r) => setTimeout(r, 5));
  sampler.stop();
  const { timeline } = sampler;
  assert.ok(timeline.length <= 10 && timeline.length >= 5, `${timeline.length} of ${taken} kept`);
  assert.ok(timeline.every((s, i) => i === 0 || s.atMs > timeline[i - 1].atMs));
  assert.ok(timeline.every((s) => s.rssBytes[0]! > 0));
  if (Deno.build.os !== "linux") return;
  assert.ok(sampler.openFds[0]! >= 3, `${sampler.openFds[0]} fds`);
  assert.ok(sampler.fdLimits[0]! >= sampler.openFds[0]!);
});
