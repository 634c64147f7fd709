import assert from "node:assert/strict";
import { childPids, processTree, readProcessTree, socketInodes } from "../../system/proc_tree.ts";
import { countOpenFds } from "../../system/process_probe.ts";
import { parseListenSockets } from "../../system/port_owner.ts";

const linux = Deno.build.os === "linux";

/** Whether every leaf of `pid`'s tree has become a `sleep` (its exec done: its fds settled). */
function settled(pid: number, size: number): boolean {
  const pids = processTree(pid);
  const leaves = pids.filter((p) => (childPids(p) ?? []).length === 0);
  return pids.length === size && leaves.every((p) => {
    try {
      return Deno.readTextFileSync(`/proc/${p}/comm`).trim() === "sleep";
    } catch {
      return false;
    }
  });
}

/** Spawns `sh -c SCRIPT` in its own process group; waits until its tree is `size` processes of which the leaves are sleeps. */
async function spawnTree(script: string, size: number) {
  const child = new Deno.Command("sh", {
    args: ["-c", script],
    stdout: "null",
    stderr: "null",
    detached: true, // its own process group: one kill by -pid ends the whole tree
  }).spawn();
  for (let i = 0; i < 200 && !settled(child.pid, size); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(settled(child.pid, size), `${script} never grew to ${size} processes`);
  return child;
}

/** Kills the whole tree (by its process group) and reaps its root. */
async function reap(child: Deno.ChildProcess): Promise<void> {
  try {
    Deno.kill(-child.pid, "SIGKILL");
  } catch { /* already gone */ }
  await child.status;
}

/** SIGKILLs `pid` and waits (synchronously: we are inside a walk) until its parent reaped it. */
function killAndWaitGone(pid: number): void {
  Deno.kill(pid, "SIGKILL");
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    try {
      Deno.statSync(`/proc/${pid}`);
    } catch {
      return;
    }
  }
  throw new Error(`process ${pid} was not reaped within 5 s`);
}

/** Runs `walk` with `Deno.readTextFileSync` calling `after(path)` after each read. */
function withReadHook<T>(after: (path: string) => void, walk: () => T): T {
  const read = Deno.readTextFileSync;
  Deno.readTextFileSync = (path: string | URL) => {
    const text = read(path);
    after(String(path));
    return text;
  };
  try {
    return walk();
  } finally {
    Deno.readTextFileSync = read;
  }
}

function sum(values: (number | null)[]): number {
  return values.reduce((a: number, b) => a + b!, 0);
}

Deno.test({
  name: "a walk of sh and its two sleeps reads each, root first, and sums their figures",
  ignore: !linux,
  fn: async () => {
    const sh = await spawnTree("sleep 30 & sleep 30", 3);
    try {
      const pids = processTree(sh.pid);
      assert.equal(pids[0], sh.pid);
      assert.deepEqual(new Set(pids.slice(1)), new Set(childPids(sh.pid)));
      const counted = readProcessTree(sh.pid, { fds: true })!;
      assert.deepEqual(counted.pids, pids);
      assert.equal(counted.openFds, sum(pids.map(countOpenFds)));
      assert.equal(counted.socketInodes, null, "not asked for");
      const listed = readProcessTree(sh.pid, { sockets: true })!;
      assert.equal(listed.openFds, counted.openFds, "the listing counts what stat counts");
      assert.deepEqual(listed.socketInodes, new Set(), "sleeps hold no socket: empty, not null");
      // The tree's RSS is the sum of its processes'. Read apart, they can differ by a few pages
      // while a sleep still faults in its libraries: read until they agree, 50 times at most.
      const slack = 8 * 4096;
      let tree = 0, alone: number[] = [];
      for (let i = 0; i < 50; i++) {
        tree = readProcessTree(sh.pid)!.rssBytes;
        alone = pids.map((pid) => readProcessTree(pid, { children: false })!.rssBytes);
        if (Math.abs(tree - sum(alone)) <= slack) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(Math.abs(tree - sum(alone)) <= slack, `tree ${tree} != ${alone.join(" + ")}`);
      assert.ok(alone[1] > slack, "a sleep's RSS is above the slack: a tree without it fails");
      assert.deepEqual(readProcessTree(sh.pid, { children: false })!.pids, [sh.pid]);
    } finally {
      await reap(sh);
    }
    assert.equal(readProcessTree(sh.pid), null, "a reaped process reads null");
  },
});

Deno.test({
  name: "the socket inodes of a tree include a listener its process holds",
  ignore: !linux,
  fn: () => {
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const [socket] = parseListenSockets(Deno.readTextFileSync("/proc/net/tcp"), listener.addr.port);
    const mine = readProcessTree(Deno.pid, { children: false, sockets: true })!;
    assert.ok(mine.socketInodes!.has(socket.inode), `inode ${socket.inode}`);
    assert.equal(mine.openFds, countOpenFds("self"), "the listing's own fd is not counted");
    assert.ok(socketInodes([Deno.pid])!.has(socket.inode));
    assert.equal(socketInodes([999_999_999]), null, "no fd directory read: unknown");
  },
});

Deno.test({
  name: "a child that exits in the middle of a walk is left out; the rest of the tree stands",
  ignore: !linux,
  fn: async () => {
    const sh = await spawnTree("sleep 30 & sleep 30 & sleep 30 & sleep 30 & sleep 30 & wait", 6);
    try {
      const alive = new Set(childPids(sh.pid)!); // one sleep outlives the four kills: sh waits
      const fds = (pids: Iterable<number>) => sum([sh.pid, ...pids].map(countOpenFds));
      // Each way of reading, with a child gone after its parent listed it (before any read of
      // its own), and one gone after its status was read (before its fds were).
      for (const mode of [{ fds: true }, { sockets: true }]) {
        for (const when of ["listed", "status read"]) {
          const victim = [...alive].at(-1)!;
          const hook = when === "listed"
            ? `/proc/${sh.pid}/task/${sh.pid}/children`
            : `/proc/${victim}/status`;
          alive.delete(victim);
          const reading = withReadHook((path) => {
            if (path === hook) killAndWaitGone(victim);
          }, () => readProcessTree(sh.pid, mode));
          const what = `${JSON.stringify(mode)}, gone once ${when}`;
          assert.ok(reading !== null, what);
          assert.deepEqual(new Set(reading.pids), new Set([sh.pid, ...alive]), what);
          // The survivors' fds as read now (a shell may hold one more for a moment while it
          // reaps a child: one of slack, where the gone sleep held 5).
          const survivors = fds(alive);
          assert.ok(reading.openFds !== null, `${what}: a gone child holds no fds, not null`);
          assert.ok(Math.abs(reading.openFds - survivors) <= 1, `${what}: ${reading.openFds}`);
          if (mode.sockets) assert.deepEqual(reading.socketInodes, new Set(), what);
        }
      }
    } finally {
      await reap(sh);
    }
  },
});

Deno.test({
  name: "a root that exits in the middle of its read reads null, never a partial tree",
  ignore: !linux,
  fn: async () => {
    // The outer sh waits for four inner ones (the walks' roots) and reaps each when it is killed.
    const inner = `sh -c "sleep 30 & sleep 30; true" &`;
    const outer = await spawnTree(`${inner} ${inner} ${inner} ${inner} wait`, 13);
    try {
      const whole = readProcessTree(outer.pid, { fds: true })!;
      assert.deepEqual(whole.pids, processTree(outer.pid), "grandchildren are walked");
      const modes = [
        { sockets: true },
        { fds: true },
        { children: false, sockets: true },
        { children: false, fds: true },
      ];
      const roots = childPids(outer.pid)!;
      for (const [i, mode] of modes.entries()) {
        const reading = withReadHook((path) => {
          if (path === `/proc/${roots[i]}/status`) killAndWaitGone(roots[i]);
        }, () => readProcessTree(roots[i], mode));
        assert.equal(reading, null, JSON.stringify(mode));
      }
    } finally {
      await reap(outer);
    }
  },
});

Deno.test({
  name: "a live process of the tree that cannot be read makes the reading unknown, not smaller",
  ignore: !linux,
  fn: async () => {
    const sh = await spawnTree("sleep 30 & sleep 30; true", 3);
    try {
      const child = childPids(sh.pid)![0];
      // wedge at its own fd limit: opening the child's status fails (EMFILE) while it lives.
      const read = Deno.readTextFileSync;
      Deno.readTextFileSync = (path: string | URL) => {
        if (String(path) === `/proc/${child}/status`) {
          throw new Deno.errors.Busy("Too many open files (os error 24)");
        }
        return read(path);
      };
      try {
        for (const mode of [{ fds: true }, { sockets: true }, {}]) {
          assert.equal(readProcessTree(sh.pid, mode), null, JSON.stringify(mode));
        }
      } finally {
        Deno.readTextFileSync = read;
      }
      assert.ok(readProcessTree(sh.pid, { fds: true }) !== null);
    } finally {
      await reap(sh);
    }
  },
});

Deno.test({
  name: "busiestOpenFds is the most one process of the tree holds, not their sum",
  ignore: !linux,
  fn: async () => {
    // A parent holding 5 more files and 3 children holding 20 more each, like a server and its
    // workers: each has the fd limit, their sum does not.
    const script = `
import os, sys, time
for k in range(3):
    if os.fork() == 0:
        files = [open("/dev/null") for _ in range(20)]
        time.sleep(30)
        os._exit(0)
files = [open("/dev/null") for _ in range(5)]
print("ready", flush=True)
time.sleep(30)
`;
    const child = new Deno.Command("python3", {
      args: ["-c", script],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      const reader = child.stdout.getReader();
      await reader.read(); // "ready"
      reader.releaseLock();
      await new Promise((r) => setTimeout(r, 500)); // the children open their files
      const tree = readProcessTree(child.pid, { fds: true })!;
      assert.equal(tree.pids.length, 4, JSON.stringify(tree.pids));
      assert.ok(tree.busiestOpenFds! >= 20, `${tree.busiestOpenFds}`);
      assert.ok(tree.busiestOpenFds! < 40, `${tree.busiestOpenFds}`);
      assert.ok(tree.openFds! >= 65, `${tree.openFds}`);
    } finally {
      for (const pid of processTree(child.pid).slice(1)) Deno.kill(pid, "SIGKILL");
      child.kill("SIGKILL");
      await child.status;
      await child.stdout.cancel().catch(() => {});
    }
  },
});
