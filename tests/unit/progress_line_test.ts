import assert from "node:assert/strict";
import { createProgressDisplay, formatProgress } from "../../cli/progress_display.ts";
import type { ProgressSample } from "../../run/run_scenario.ts";

const SAMPLE: ProgressSample = {
  elapsedMs: 29_400,
  planned: 1_000_000,
  sent: 431_000,
  completed: 425_880,
  inFlight: 5120,
  errors: 12_301,
  recentRps: 8523.4,
  openFds: 19_993,
  fdLimit: 20_000,
  rssBytes: 1.19 * 1024 ** 3,
  timeWait: 896,
};

Deno.test("the live line shows fds against the limit, RSS and TIME_WAIT", () => {
  assert.equal(
    formatProgress(SAMPLE),
    "[ 29.40s] 425880/1000000 (42.6%)  8523 req/s  in flight 5120  errors 12301" +
      "  fds 19993/20000  RSS 1.19GiB  TIME_WAIT 896",
  );
});

Deno.test("an unknown reading shows as n/a, never 0", () => {
  const line = formatProgress({
    ...SAMPLE,
    openFds: null,
    fdLimit: null,
    rssBytes: null,
    timeWait: null,
  });
  assert.match(line, /fds n\/a\/n\/a {2}RSS n\/a {2}TIME_WAIT n\/a$/);
});

for (const columns of [40, 80, 200]) {
  Deno.test(`at ${columns} columns the line fits, with whole fields in their order`, () => {
    const full = formatProgress(SAMPLE).split("  ");
    const line = formatProgress(SAMPLE, { columns });
    assert.ok(line.length <= columns - 1, `${line.length} characters: ${line}`);
    const shown = line.split("  ");
    assert.deepEqual(shown, full.filter((f) => shown.includes(f)), "whole fields, in order");
    if (columns === 200) assert.deepEqual(shown, full);
    if (columns === 80) {
      assert.equal(
        line,
        "[ 29.40s] 425880/1000000 (42.6%)  8523 req/s  errors 12301  fds 19993/20000",
      );
    }
    if (columns === 40) assert.equal(line, "[ 29.40s] 425880/1000000 (42.6%)");
  });
}

Deno.test("a first field wider than the terminal is cut, not wrapped", () => {
  const line = formatProgress(SAMPLE, { columns: 12 });
  assert.equal(line, "[ 29.40s] 4");
});

Deno.test("on a terminal, each redraw fits the terminal's width as it is then", () => {
  const chunks: string[] = [];
  let columns = 200;
  const display = createProgressDisplay({
    tty: true,
    columns: () => columns,
    writer: { writeSync: (p) => (chunks.push(new TextDecoder().decode(p)), p.length) },
  });
  display.progress(SAMPLE);
  columns = 40;
  display.progress(SAMPLE);
  display.close();
  const lines = chunks.filter((c) => c.startsWith("\r\x1b[2K")).map((c) => c.slice(5));
  assert.deepEqual(lines.map((l) => l.length <= 199), [true, true]);
  assert.match(lines[0], /TIME_WAIT 896$/);
  assert.ok(lines[1].length <= 39, lines[1]);
  assert.ok(lines.every((l) => !l.includes("\n")));
});

Deno.test("a run of command clients only shows the servers' view: answered, errors n/a", () => {
  const line = formatProgress({
    ...SAMPLE,
    source: "servers",
    planned: null,
    sent: 120,
    completed: 118,
    inFlight: 2,
    errors: null,
  });
  assert.match(
    line,
    /^\[ *29\.40s\] 118 answered by the servers {2}8523 req\/s {2}in flight 2 {2}errors n\/a/,
  );
  const unknown = formatProgress({
    ...SAMPLE,
    source: "servers",
    planned: null,
    sent: null,
    completed: null,
    inFlight: null,
    errors: null,
    recentRps: null,
  });
  assert.match(
    unknown,
    /n\/a answered by the servers {2}n\/a req\/s {2}in flight n\/a {2}errors n\/a/,
  );
});
