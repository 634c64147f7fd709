import assert from "node:assert/strict";
import { z } from "zod";
import { shrinkAxes } from "../../explore/shrink_axes.ts";
import { parseExploreFlags } from "../../explore/flags.ts";
import { parseShrinkFlags } from "../../explore/shrink_flags.ts";
import type { NumericAxis } from "../../explore/shrink.ts";
import { UsageError } from "../../scenario/errors.ts";

const SCHEMA = z.object({
  nrequests: z.number().int().positive().default(50_000),
  hangEvery: z.number().int().min(0).default(50),
  rate: z.number().default(0.5),
  stallBound: z.string().default("5s"),
  leak: z.string().default("1KiB"),
  label: z.string().default("x"),
  connections: z.enum(["keep-alive", "per-request"]).default("keep-alive"),
  cancel: z.boolean().default(false),
});

const START = {
  nrequests: 100,
  hangEvery: 50,
  rate: 2,
  stallBound: "30s",
  leak: "2MiB",
  label: "y",
  connections: "per-request",
  cancel: true,
};

Deno.test("shrinkAxes: numbers toward their minimum (or default), units through units/", () => {
  const axes = shrinkAxes(SCHEMA, START) as NumericAxis[];
  const byName = Object.fromEntries(axes.map((a) => [a.name, a]));
  // a plain string ("label") is no axis; neither are the enum and the boolean
  assert.deepEqual(Object.keys(byName), ["nrequests", "hangEvery", "rate", "stallBound", "leak"]);
  // positive() is > 0: for an integer, 1
  assert.equal(byName.nrequests.floor, 1);
  assert.equal(byName.nrequests.step, 1);
  // no minimum: toward the default
  assert.equal(byName.rate.floor, 0.5);
  assert.equal(byName.stallBound.read("30s"), 30_000);
  assert.equal(byName.stallBound.write(byName.stallBound.floor), "5s");
  assert.equal(byName.stallBound.write(1500), "1500ms");
  assert.equal(byName.leak.read("2MiB"), 2 * 1024 * 1024);
  assert.equal(byName.leak.write(byName.leak.floor), "1KiB");
});

Deno.test("shrinkAxes: a min(0) param shrinks toward 0; one at its floor is no axis", () => {
  const axes = shrinkAxes(SCHEMA, { ...START, nrequests: 1, stallBound: "2s" });
  assert.equal(axes.find((a) => a.name === "nrequests"), undefined);
  // below its default (no minimum): nothing to shrink toward
  assert.equal(axes.find((a) => a.name === "stallBound"), undefined);
  const hang = axes.find((a) => a.name === "hangEvery") as NumericAxis | undefined;
  assert.equal(hang?.floor, 0);
});

Deno.test("shrinkAxes: booleans and enums only with all, toward their defaults", () => {
  assert.equal(shrinkAxes(SCHEMA, START).some((a) => a.kind === "choice"), false);
  const choices = shrinkAxes(SCHEMA, START, { all: true }).filter((a) => a.kind === "choice");
  assert.deepEqual(choices.map((a) => a.kind === "choice" && [a.name, a.simpler]), [
    ["connections", ["keep-alive"]],
    ["cancel", [false]],
  ]);
});

Deno.test("parseShrinkFlags: defaults, fail rate, budget, and flags without --shrink", () => {
  assert.deepEqual(parseShrinkFlags({ shrink: true }), {
    repeat: 3,
    failRate: null,
    budgetMs: 600_000,
    all: false,
  });
  assert.equal(parseShrinkFlags({ shrink: true, "fail-rate": "50%", repeat: 4 })?.failRate, 0.5);
  assert.equal(parseShrinkFlags({ shrink: true, repeat: 4 })?.repeat, 4);
  assert.throws(() => parseShrinkFlags({ shrink: true, budget: "10" }), UsageError);
  assert.throws(() => parseShrinkFlags({ shrink: true, "fail-rate": "0" }), UsageError);
  assert.throws(() => parseShrinkFlags({ "shrink-all": true }), /--shrink-all goes with --shrink/);
});

Deno.test("parseExploreFlags: --shrink alone is an exploration; not with --sweep", () => {
  const alone = parseExploreFlags({ shrink: true });
  assert.equal(alone?.shrink?.repeat, 3);
  assert.equal(parseExploreFlags({ shrink: true, repeat: "5" })?.shrink?.repeat, 5);
  assert.equal(parseExploreFlags({ repeat: "5" })?.shrink, null);
  assert.throws(
    () => parseExploreFlags({ shrink: true, sweep: ["nclients=1,2"] }),
    /--shrink goes with --repeat/,
  );
});
