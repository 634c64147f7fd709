// The parsers of numbers written on a command line (units/fraction.ts, units/whole_number.ts) and
// the one way flags use them (explore/flag_value.ts): --pass-rate, --fail-rate (and merge's
// --pass-rate), --repeat and k8s --parallelism refuse alike: the flag, the value, what to write.
import assert from "node:assert/strict";
import { parseFraction } from "../../units/fraction.ts";
import { parseWholeNumber } from "../../units/whole_number.ts";
import { k8sCommand } from "../../cli/k8s_command.ts";
import { parseExploreFlags } from "../../explore/flags.ts";
import { parseShrinkFlags } from "../../explore/shrink_flags.ts";
import { UsageError } from "../../scenario/errors.ts";

Deno.test("parseFraction reads 0.9 and 90%, 0 and 1 included unless aboveZero", () => {
  assert.equal(parseFraction("0.9"), 0.9);
  assert.equal(parseFraction("90%"), 0.9);
  assert.equal(parseFraction("0"), 0);
  assert.equal(parseFraction("100%"), 1);
  assert.equal(parseFraction("50%", { aboveZero: true }), 0.5);
  for (const text of ["", " ", "%", " %", "abc", "1.5", "120%", "-0.1", "Infinity", "NaN%"]) {
    assert.throws(() => parseFraction(text), RangeError, JSON.stringify(text));
  }
  assert.throws(
    () => parseFraction("0%", { aboveZero: true }),
    /"0%": expected a fraction above 0/,
  );
});

Deno.test("--pass-rate and --fail-rate are refused by one parser: flag, value, what to write", () => {
  const refused = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      assert.ok(error instanceof UsageError);
      return error.message;
    }
    assert.fail("not refused");
  };
  assert.equal(
    refused(() => parseExploreFlags({ "pass-rate": "%" })),
    '--pass-rate "%": expected a fraction from 0 to 1 (0.9) or a percentage (90%)',
  );
  assert.equal(
    refused(() => parseShrinkFlags({ shrink: true, "fail-rate": "0" })),
    '--fail-rate "0": expected a fraction above 0 and at most 1 (0.5) or a percentage (50%)',
  );
  assert.equal(parseExploreFlags({ "pass-rate": "0" })?.passRate, 0);
});

Deno.test("parseWholeNumber reads digits only, within its bounds", () => {
  assert.equal(parseWholeNumber("0"), 0);
  assert.equal(parseWholeNumber("10000", { min: 1, max: 10_000 }), 10_000);
  for (const text of ["", " ", "1e3", "2.5", "-1", " 3", "0x10"]) {
    assert.throws(() => parseWholeNumber(text), RangeError, JSON.stringify(text));
  }
  assert.throws(() => parseWholeNumber("10001", { min: 1, max: 10_000 }), /from 1 to 10000/);
  assert.throws(
    () => parseWholeNumber("0", { min: 1 }),
    /"0": expected a whole number, at least 1/,
  );
});

Deno.test("--repeat and k8s --parallelism are refused by one parser, naming the flag", async () => {
  assert.throws(
    () => parseExploreFlags({ repeat: "1e3" }),
    (e) =>
      e instanceof UsageError &&
      e.message === '--repeat "1e3": expected a whole number from 1 to 10000',
  );
  const io = { out() {}, err() {}, cwd: Deno.cwd(), tty: false, color: false };
  await assert.rejects(
    () => k8sCommand(["hang-mre-ok", "--repeat", "2", "--parallelism", "0"], io),
    (e) =>
      e instanceof UsageError &&
      e.message === '--parallelism "0": expected a whole number, at least 1',
  );
});
