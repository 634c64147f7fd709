import assert from "node:assert/strict";
import { judgeLeak } from "../runtime/leak_verdict.ts";

const MiB = 1024 * 1024;
const bound = { boundBytes: 2 * MiB, what: "servers" };

function points(rss: number[], perIteration = 10_000) {
  return rss.map((r, i) => ({ completed: i * perIteration, rssBytes: r }));
}

Deno.test("growth within the bound is flat and passes, with signed deltas", () => {
  const v = judgeLeak(points([50 * MiB, 50.3 * MiB, 50.1 * MiB, 50.5 * MiB]), bound);
  assert.equal(v.kind, "flat");
  assert.equal(v.pass, true);
  assert.deepEqual(v.deltas.map((d) => Math.round(d / 1024)), [307, -205, 410]);
  assert.equal(v.totalBytes, 0.5 * MiB);
  assert.match(v.summary, /Flat: within the bound/);
});

Deno.test("growth that stops after the first iterations is a plateau and passes", () => {
  // hyper#1790's shape: a jump, then a few hundred KiB either way.
  const v = judgeLeak(
    points([60 * MiB, 63 * MiB, 63.2 * MiB, 63.1 * MiB, 63.3 * MiB, 63.2 * MiB]),
    bound,
  );
  assert.equal(v.kind, "plateau");
  assert.equal(v.pass, true);
  assert.deepEqual(v.lateIterations, [3, 5]);
  assert.ok(Math.abs(v.lateGrowthBytes) < MiB);
  assert.match(v.summary, /A plateau, not a leak: iterations 3-5 changed it by/);
});

Deno.test("steady growth is a leak, with its slope per request", () => {
  const perRequest = 4096;
  const v = judgeLeak(
    [0, 1, 2, 3, 4, 5].map((i) => ({
      completed: i * 20_000,
      rssBytes: 70 * MiB + i * 20_000 * perRequest + (i % 2) * 300_000,
    })),
    bound,
  );
  assert.equal(v.kind, "growing");
  assert.equal(v.pass, false);
  assert.ok(Math.abs(v.bytesPerRequest! - perRequest) < 100, String(v.bytesPerRequest));
  assert.match(v.summary, /Still growing in iterations 3-5/);
  assert.match(v.summary, /slope \+4\.0KiB per request/);
});

Deno.test("a slow leak that only the later iterations show still fails", () => {
  const v = judgeLeak(points([0, 0.8, 1.6, 2.4, 3.2, 4.0].map((x) => 50 * MiB + x * MiB)), bound);
  assert.equal(v.kind, "growing");
});

Deno.test("over the bound with fewer than 3 iterations is undecided and fails", () => {
  const v = judgeLeak(points([50 * MiB, 55 * MiB]), bound);
  assert.equal(v.kind, "undecided");
  assert.equal(v.pass, false);
  assert.match(v.summary, /cannot tell a plateau from a leak: run at least 3/);
});

Deno.test("no requests between readings gives no slope; fewer than two points is refused", () => {
  const v = judgeLeak([{ completed: 5, rssBytes: 1 }, { completed: 5, rssBytes: 2 }], bound);
  assert.equal(v.bytesPerRequest, null);
  assert.throws(() => judgeLeak([{ completed: 0, rssBytes: 1 }], bound), RangeError);
});

Deno.test("one late step of a clean server is not a leak; one dip of a leak does not hide it", () => {
  const MiBs = (steps: number[]) => {
    const rss = [60 * MiB];
    for (const step of steps) rss.push(rss.at(-1)! + step * MiB);
    return points(rss);
  };
  // The reviewer's cases: [+1.5, 0, 0, 0, +1.1] is a plateau; [1, 1, 1, 1, -1.5] still grows.
  assert.equal(judgeLeak(MiBs([1.5, 0, 0, 0, 1.1]), bound).kind, "plateau");
  assert.equal(judgeLeak(MiBs([1, 1, 1, 1, -1.5]), bound).kind, "growing");
  // hyper#1790's noise after a jump: -272 KB to +472 KB per run.
  assert.equal(judgeLeak(MiBs([3, 0.46, -0.27, 0.3, -0.1, 0.2]), bound).kind, "plateau");
});
