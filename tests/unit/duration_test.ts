import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "../../units/duration.ts";
import { formatByteSize, parseByteSize } from "../../units/byte_size.ts";

Deno.test("parseDuration reads every unit and plain milliseconds", () => {
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("5s"), 5000);
  assert.equal(parseDuration("1.5m"), 90_000);
  assert.equal(parseDuration("2h"), 7_200_000);
  assert.equal(parseDuration("500us"), 0.5);
  assert.equal(parseDuration(" 3 s "), 3000);
  assert.equal(parseDuration(40), 40);
});

Deno.test("parseDuration rejects a missing unit, an unknown unit and negatives, saying what it expects", () => {
  for (const bad of ["5", "5x", "-1s", "", "1.2.3s"]) {
    assert.throws(() => parseDuration(bad), (e: Error) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /expected a number and a unit/);
      assert.ok(e.message.includes(JSON.stringify(bad)));
      return true;
    });
  }
  assert.throws(() => parseDuration(-5), RangeError);
  assert.throws(() => parseDuration(Infinity), RangeError);
});

Deno.test("formatDuration picks a readable unit", () => {
  assert.equal(formatDuration(0.25), "250us");
  assert.equal(formatDuration(3.456), "3.46ms");
  assert.equal(formatDuration(73.21), "73.2ms");
  assert.equal(formatDuration(4200), "4.20s");
  assert.equal(formatDuration(125_000), "2m05s");
});

Deno.test("parseByteSize distinguishes binary and decimal units", () => {
  assert.equal(parseByteSize("2MiB"), 2 * 1024 * 1024);
  assert.equal(parseByteSize("2MB"), 2_000_000);
  assert.equal(parseByteSize("512kib"), 512 * 1024);
  assert.equal(parseByteSize("10B"), 10);
  assert.equal(parseByteSize(4096), 4096);
});

Deno.test("parseByteSize rejects sizes without a known unit", () => {
  for (const bad of ["2", "2 MiBs", "-1KiB", "lots"]) {
    assert.throws(() => parseByteSize(bad), /expected a number and a unit \(B, KB/);
  }
  assert.throws(() => parseByteSize(-1), RangeError);
});

Deno.test("formatByteSize keeps the sign of deltas", () => {
  assert.equal(formatByteSize(512), "512B");
  assert.equal(formatByteSize(-272 * 1024), "-272.0KiB");
  assert.equal(formatByteSize(2 * 1024 ** 2), "2.00MiB");
});

Deno.test("formatDuration rounds to whole seconds before splitting minutes (no 1m60s)", () => {
  assert.equal(formatDuration(119_999), "2m00s");
  assert.equal(formatDuration(60_000), "1m00s");
});
