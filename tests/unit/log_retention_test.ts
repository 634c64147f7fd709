import assert from "node:assert/strict";
import { join } from "node:path";
import { DEFAULT_KEEP_LOGS, pruneLogDirs } from "../../cli/log_retention.ts";

/** Makes `names` as directories under a new temp root, each `i` seconds newer than the one before. */
async function makeRuns(names: string[]): Promise<string> {
  const root = await Deno.makeTempDir();
  for (const [i, name] of names.entries()) {
    await Deno.mkdir(join(root, name));
    await Deno.writeTextFile(join(root, name, "app-0.stderr.log"), "log\n");
    await Deno.utime(join(root, name), 1_000_000 + i, 1_000_000 + i);
  }
  return root;
}

async function listDir(root: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(root)) names.push(entry.name);
  return names.sort();
}

Deno.test("pruneLogDirs removes the oldest directories first and keeps the newest `keep`", async () => {
  // Names out of age order: age is the modification time, not the name.
  const root = await makeRuns(["z-oldest", "a-second", "m-third", "b-newest"]);
  try {
    const result = await pruneLogDirs(root, { keep: 2 });
    assert.deepEqual(result.removed, [join(root, "z-oldest"), join(root, "a-second")]);
    assert.equal(result.kept, 2);
    assert.deepEqual(await listDir(root), ["b-newest", "m-third"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("pruneLogDirs keeps everything when there are no more than `keep`, and 0 keeps none", async () => {
  const root = await makeRuns(["r1", "r2", "r3"]);
  try {
    assert.deepEqual(await pruneLogDirs(root, { keep: 3 }), { removed: [], kept: 3 });
    assert.deepEqual(await listDir(root), ["r1", "r2", "r3"]);
    assert.equal((await pruneLogDirs(root, { keep: 0 })).removed.length, 3);
    assert.deepEqual(await listDir(root), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("pruneLogDirs touches only directories: files and symbolic links stay", async () => {
  const root = await makeRuns(["old", "new"]);
  const outside = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(root, "notes.txt"), "mine\n");
    await Deno.symlink(outside, join(root, "link"));
    const result = await pruneLogDirs(root, { keep: 0 });
    assert.deepEqual(result.removed.sort(), [join(root, "new"), join(root, "old")]);
    assert.deepEqual(await listDir(root), ["link", "notes.txt"]);
    assert.ok((await Deno.stat(outside)).isDirectory, "a link's target is never followed");
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("pruneLogDirs with a missing root does nothing; the default keeps 50", async () => {
  const parent = await Deno.makeTempDir();
  assert.deepEqual(await pruneLogDirs(join(parent, "missing")), { removed: [], kept: 0 });
  await Deno.remove(parent);
  assert.equal(DEFAULT_KEEP_LOGS, 50);
  const many = await makeRuns(Array.from({ length: 53 }, (_, i) => `run-${i}`));
  try {
    const result = await pruneLogDirs(many);
    assert.deepEqual(result.removed, [0, 1, 2].map((i) => join(many, `run-${i}`)));
    assert.equal(result.kept, 50);
  } finally {
    await Deno.remove(many, { recursive: true });
  }
});

Deno.test("pruneLogDirs refuses a keep that is not a non-negative integer", async () => {
  for (const keep of [-1, 1.5, NaN]) {
    await assert.rejects(pruneLogDirs("/nonexistent", { keep }), RangeError, String(keep));
  }
});
