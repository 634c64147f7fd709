import assert from "node:assert/strict";
import { fillBatch, type LaneContext } from "../../clients/lane.ts";

/** A lane whose client pipelines `depth` and has `due` more requests due now. */
function laneWith(depth: number, due: number[]): LaneContext {
  return {
    spec: { pipelining: depth },
    nextDue: () => due.shift() ?? null,
  } as unknown as LaneContext;
}

Deno.test("fillBatch fills up to the pipelining depth, then shrinks a reused batch", () => {
  const batch: number[] = [];
  fillBatch(laneWith(4, [2, 3, 4, 5]), 1, batch);
  assert.deepEqual(batch, [1, 2, 3, 4]);
  // Reused: only two due now, so the batch is two long (no stale times from the last one).
  fillBatch(laneWith(4, [7]), 6, batch);
  assert.deepEqual(batch, [6, 7]);
  fillBatch(laneWith(1, [9]), 8, batch);
  assert.deepEqual(batch, [8]);
});
