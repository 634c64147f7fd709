import assert from "node:assert/strict";
import { cellAt, cellCount, gridPoints, listCells, pointIndex } from "../../explore/cells.ts";
import { parseExploreFlags } from "../../explore/flags.ts";
import { UsageError } from "../../scenario/errors.ts";

const sweep = [
  { key: "nclients", values: ["5", "10"] },
  { key: "concurrency", values: ["16", "64", "128"] },
];
const plan = {
  scenario: "hang-mre-ok",
  set: { nrequests: "2000" },
  sweep,
  repeat: 2,
  seed: 100,
  sameSeed: false,
};

Deno.test("gridPoints: the cartesian product, the first axis varying slowest", () => {
  assert.deepEqual(gridPoints(sweep).map((p) => `${p.nclients}x${p.concurrency}`), [
    "5x16",
    "5x64",
    "5x128",
    "10x16",
    "10x64",
    "10x128",
  ]);
  assert.deepEqual(gridPoints([]), [{}]);
});

Deno.test("listCells: points x repeats, index = point * repeat + run, seeds S, S+1 per point", () => {
  const cells = listCells(plan);
  assert.equal(cells.length, 12);
  assert.equal(cellCount(plan), 12);
  assert.deepEqual(cells.map((c) => c.index), [...Array(12).keys()]);
  assert.deepEqual(cells[5], {
    index: 5,
    set: { nrequests: "2000", nclients: "5", concurrency: "128" },
    seed: 101,
  });
  assert.deepEqual(cells.map((c) => c.seed), [
    100,
    101,
    100,
    101,
    100,
    101,
    100,
    101,
    100,
    101,
    100,
    101,
  ]);
  assert.deepEqual(cells.map((c) => pointIndex(plan, c.index)), [
    0,
    0,
    1,
    1,
    2,
    2,
    3,
    3,
    4,
    4,
    5,
    5,
  ]);
});

Deno.test("listCells: --same-seed runs S each time; seeds wrap at 2^32", () => {
  assert.deepEqual(listCells({ ...plan, sameSeed: true }).map((c) => c.seed), Array(12).fill(100));
  const wrap = listCells({ ...plan, sweep: [], repeat: 3, seed: 2 ** 32 - 2 });
  assert.deepEqual(wrap.map((c) => c.seed), [2 ** 32 - 2, 2 ** 32 - 1, 0]);
});

Deno.test("listCells: a swept key replaces its base --set value", () => {
  const cells = listCells({ ...plan, set: { nclients: "40" }, repeat: 1 });
  assert.deepEqual(cells.map((c) => c.set.nclients), ["5", "5", "5", "10", "10", "10"]);
});

Deno.test("cellAt: the cell of an index; out of range is a RangeError naming the range", () => {
  assert.deepEqual(cellAt(plan, 7), listCells(plan)[7]);
  assert.throws(() => cellAt(plan, 12), /cells 0 to 11/);
  assert.throws(() => cellAt(plan, -1), RangeError);
});

Deno.test("parseExploreFlags: null without explore flags; the values parsed", () => {
  assert.equal(parseExploreFlags({ sweep: [] }), null);
  const args = parseExploreFlags({
    repeat: "5",
    "until-fail": true,
    "pass-rate": "90%",
    sweep: ["nclients=5, 10", "concurrency=16"],
  });
  const { repeat, sameSeed, untilFail, passRate, sweep, listCells, cell } = args!;
  assert.deepEqual({ repeat, sameSeed, untilFail, passRate, sweep, listCells, cell }, {
    repeat: 5,
    sameSeed: false,
    untilFail: true,
    passRate: 0.9,
    sweep: [{ key: "nclients", values: ["5", "10"] }, { key: "concurrency", values: ["16"] }],
    listCells: false,
    cell: null,
  });
  assert.equal(parseExploreFlags({ "pass-rate": "0.75" })?.passRate, 0.75);
});

Deno.test("parseExploreFlags: refuses bad values, naming the flag", () => {
  const bad: [Parameters<typeof parseExploreFlags>[0], RegExp][] = [
    [{ repeat: "0" }, /--repeat "0": expected a whole number from 1/],
    [{ repeat: "2.5" }, /--repeat/],
    [{ "pass-rate": "120%" }, /--pass-rate "120%"/],
    [{ sweep: ["nclients"] }, /--sweep nclients: expected KEY=V1,V2/],
    [{ sweep: ["nclients=5,,10"] }, /no empty value/],
    [{ sweep: ["n=1", "n=2"] }, /--sweep n=\.\.\.: given twice/],
    [{ sweep: ["n=1,1"] }, /the value 1 is given twice/],
    [{ cells: true, cell: "0" }, /give one of them/],
    [{ cell: "x" }, /--cell "x": expected a cell index/],
  ];
  for (const [values, message] of bad) {
    assert.throws(
      () => parseExploreFlags(values),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  }
});

Deno.test("parseExploreFlags: --cell env reads JOB_COMPLETION_INDEX", () => {
  Deno.env.set("JOB_COMPLETION_INDEX", "3");
  try {
    assert.equal(parseExploreFlags({ cell: "env" })?.cell, 3);
    Deno.env.set("JOB_COMPLETION_INDEX", "");
    assert.throws(() => parseExploreFlags({ cell: "env" }), /JOB_COMPLETION_INDEX=""/);
  } finally {
    Deno.env.delete("JOB_COMPLETION_INDEX");
  }
  assert.throws(() => parseExploreFlags({ cell: "env" }), /JOB_COMPLETION_INDEX=null/);
});
