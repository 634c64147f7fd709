import assert from "node:assert/strict";
import { z } from "zod";
import { describeParams, parseSetFlags, resolveParams } from "../../scenario/params.ts";
import { UsageError } from "../../scenario/errors.ts";

Deno.test("parseSetFlags splits at the first '=' and lets a later flag win", () => {
  assert.deepEqual(parseSetFlags(["a=1", "b=x=y", "a=2"]), { a: "2", b: "x=y" });
  assert.deepEqual(parseSetFlags(["empty="]), { empty: "" });
});

Deno.test("parseSetFlags rejects a flag without key=value", () => {
  assert.throws(() => parseSetFlags(["nclients"]), (e: Error) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /--set nclients: expected key=value, e\.g\. --set nclients=40/);
    return true;
  });
  assert.throws(() => parseSetFlags(["=3"]), UsageError);
});

const schema = z.object({
  nrequests: z.number().int().positive().default(1000),
  verbose: z.boolean().default(false),
  timeLimit: z.string().default("5m"),
  mode: z.enum(["a", "b"]).default("a"),
  ratio: z.number().min(0).max(1).default(0.5),
});

Deno.test("strings from the command line are coerced through the schema", () => {
  const result = resolveParams(schema, {
    nrequests: "1e6",
    verbose: "true",
    timeLimit: "30s",
    mode: "b",
    ratio: "0.25",
  });
  assert.deepEqual(result, {
    ok: true,
    params: { nrequests: 1_000_000, verbose: true, timeLimit: "30s", mode: "b", ratio: 0.25 },
  });
});

Deno.test("typed values from code pass as they are; defaults fill the rest", () => {
  assert.deepEqual(resolveParams(schema, { nrequests: 5 }), {
    ok: true,
    params: { nrequests: 5, verbose: false, timeLimit: "5m", mode: "a", ratio: 0.5 },
  });
});

Deno.test("rejections say what the param accepts", () => {
  const result = resolveParams(schema, { mode: "c", ratio: "2", verbose: "yes" });
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.issues.map((i) => `${i.path}: ${i.message}`), [
    'params.mode: cannot use "c": accepts one of "a", "b" (default "a")',
    'params.ratio: cannot use "2": accepts number >= 0 <= 1 (default 0.5)',
    'params.verbose: cannot use "yes": accepts boolean (default false)',
  ]);
});

Deno.test("describeParams lists each param with its type, bounds, default and description", () => {
  const described = describeParams(z.object({
    nclients: z.number().int().min(1).default(40).describe("clients"),
    name: z.string(),
  }));
  assert.deepEqual(described, [
    { name: "nclients", accepts: "integer >= 1", default: 40, description: "clients" },
    { name: "name", accepts: "string" },
  ]);
});

Deno.test("names inherited from Object.prototype are unknown params, not a crash", () => {
  for (const key of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
    const result = resolveParams(schema, { [key]: "1" });
    assert.equal(result.ok, false, key);
    assert.match(!result.ok ? result.issues[0].message : "", /unknown param/);
  }
});
