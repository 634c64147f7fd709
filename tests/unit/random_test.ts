import assert from "node:assert/strict";
import { createRandom, deriveSeed } from "../../plan/random.ts";

Deno.test("the same seed replays the same sequence, another seed does not", () => {
  const a = createRandom(123), b = createRandom(123), c = createRandom(124);
  const seqA = Array.from({ length: 5 }, a);
  assert.deepEqual(seqA, Array.from({ length: 5 }, b));
  assert.notDeepEqual(seqA, Array.from({ length: 5 }, c));
  for (const x of seqA) assert.ok(x >= 0 && x < 1);
});

Deno.test("derived seeds differ per component and are stable", () => {
  const seeds = new Set(Array.from({ length: 100 }, (_, i) => deriveSeed(9, i)));
  assert.equal(seeds.size, 100);
  assert.equal(deriveSeed(9, 3), deriveSeed(9, 3));
});
