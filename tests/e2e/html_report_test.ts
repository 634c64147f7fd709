// The HTML report in a real browser: a short real run's --html, and `wedge report` of a saved
// report with a stall, incidents and memory rounds, each opened in headless Chromium (Debian's
// /usr/bin/chromium through puppeteer-core): no console or page errors, nothing requested from
// the network, every chart drawn with data. Screenshots go to the test's temp dir (kept, with its
// path printed, when a test fails). Skipped, saying so, where chromium is not installed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../_cli.ts";
import { chromiumPath, type RenderedPage, renderInChromium } from "../_html_browser.ts";
import { reportFixture } from "../_report_fixture.ts";
import type { RunReport, TimelinePoint } from "../../report/types.ts";

const chromium = chromiumPath();
if (!chromium) {
  console.warn(
    "html_report_test: SKIPPED: chromium is not installed (apt-get install -y chromium, as .ci/run does; or set WEDGE_CHROMIUM to a Chromium binary)",
  );
}

/** Runs `fn` in a temp dir; removes it when `fn` succeeds, keeps it (and says where) when not. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wedge-html-" });
  try {
    await fn(dir);
  } catch (error) {
    console.error(`html_report_test: kept ${dir} (the page and its screenshot)`);
    throw error;
  }
  await Deno.remove(dir, { recursive: true });
}

/** Every chart drawn, each series with data, ink in the plot; no errors, no network. */
function assertRendered(page: RenderedPage, expected: string[]): void {
  assert.deepEqual(page.consoleErrors, []);
  assert.deepEqual(page.pageErrors, []);
  assert.deepEqual(page.requests, []);
  assert.deepEqual(page.charts.map((c) => `chart-${c.id}`), page.chartElements);
  for (const id of expected) assert.ok(page.charts.some((c) => c.id === id), `no chart ${id}`);
  for (const c of page.charts) {
    assert.ok(
      c.lengths[0] > 0 && c.lengths.every((n) => n === c.lengths[0]),
      `${c.id}: ${c.lengths}`,
    );
    assert.ok(c.nonNull.every((n) => n > 0), `${c.id}: a series without data: ${c.nonNull}`);
    assert.ok(c.inkedPixels.some((n) => n > 20), `${c.id}: nothing painted: ${c.inkedPixels}`);
  }
}

Deno.test({
  name: "a short real run's --html opens in Chromium with every chart drawn from data",
  ignore: !chromium,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    inTempDir(async (dir) => {
      const html = join(dir, "run.html");
      const r = await runCli([
        "tests/fixtures/html_report_scenario.ts",
        "--quiet",
        "--html",
        html,
      ]);
      assert.equal(r.code, 1, r.stderr); // its p50 < 1us assertion fails, by design
      assert.match(r.stderr, /HTML report written to /);
      const page = await renderInChromium(html, { screenshot: join(dir, "run.png") });
      assertRendered(page, [
        "throughput",
        "inflight",
        "fds",
        "rss",
        "sockets",
        "streams",
        "latency-histogram",
        "latency-percentiles",
      ]);
      const time = page.charts.find((c) => c.id === "rss")!;
      assert.ok(time.lengths[0] >= 6, `few timeline points: ${time.lengths[0]}`);
      // runtime, the h2 server host and the node command: one RSS series each.
      assert.equal(time.nonNull.length, 3);
      assert.ok((await Deno.stat(join(dir, "run.png"))).size > 10_000);
    }),
});

/** A saved report with what a short run lacks: a stall, timed incidents and memory rounds. */
function savedReport(): RunReport {
  const timeline: TimelinePoint[] = Array.from({ length: 40 }, (_, i) => ({
    atMs: (i + 1) * 250,
    completed: Math.min(i, 20) * 300,
    inFlight: i < 20 ? 64 : 512,
    errors: Math.max(0, i - 20) * 10,
    openStreams: null,
    timeWait: 10 * i,
    established: 128,
    sockets: { client: { ESTABLISHED: 64, TIME_WAIT: 10 * i }, server: { ESTABLISHED: 64 } },
    openFds: 100 + i * 400,
    rssBytes: 5e7 + i * 1e6,
    listenDrops: 0,
    fdLimit: 20000,
    acceptQueue: i < 20 ? 0 : 128,
    errorsByClass: i > 20 ? { too_many_open_files: (i - 20) * 10 } : {},
  }));
  return reportFixture({
    timeline,
    outcome: "stalled",
    passed: false,
    stall: {
      blockedThreads: [],
      detectedAtMs: 10000,
      progressStoppedAtMs: 5000,
      boundMs: 5000,
      progress: "completions",
      completed: 6000,
      owed: 4000,
      inFlight: 512,
      servers: [{
        server: "s[0]",
        clientInFlight: 512,
        received: 6100,
        responded: 6000,
        failure: "Too many open files",
        connections: null,
      }],
      clients: [{ client: "c[0]", inFlight: 512 }],
      oldest: [],
      process: { openFds: 19990, fdLimit: 20000, rssBytes: 9e7 },
      silentWorkers: [],
      sockets: null,
      hints: ["fds at the limit: the servers' accept loops stopped (EMFILE)"],
    },
    incidentMarks: [{
      atMs: 5600,
      kind: "server-stopped-accepting",
      text: "s[0] stopped accepting: Too many open files",
    }],
    incidents: ["s[0] stopped accepting: Too many open files"],
    memory: {
      intervalMs: 250,
      processes: [{ name: "runtime", role: "runtime", pid: 1, fleet: null, peakRssBytes: 9e7 }],
      timeline: [],
      rounds: { warmup: 1, iterations: 4, settleMs: 500 },
      checkpoints: [0, 1, 2, 3, 4, 5].map((round) => ({
        round,
        atMs: round * 1000,
        completed: round * 100,
        rssBytes: [5e7 + round * 1e6],
      })),
      runtimeJudged: true,
    },
  });
}

Deno.test({
  name: "`wedge report RUN.json --html` renders a saved report: stall shaded, memory per load",
  ignore: !chromium,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    inTempDir(async (dir) => {
      const json = join(dir, "saved.json");
      const html = join(dir, "saved.html");
      await Deno.writeTextFile(json, JSON.stringify(savedReport()));
      const r = await runCli(["report", json, "--html", html]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /stalled/); // the text report on stdout
      const page = await renderInChromium(html, { screenshot: join(dir, "saved.png") });
      assertRendered(page, ["throughput", "fds", "memory-rounds", "latency-percentiles"]);
      const text = await Deno.readTextFile(html);
      assert.match(
        text,
        /Shaded 5\.00-10\.00 s: stall: nothing completed for 5\.00s; fds at the limit/,
      );
      assert.match(text, /Dashed red line at 5\.60 s: s\[0\] stopped accepting/);
    }),
});

Deno.test("`wedge report` of a file that is not a report says which file and exits 2", async () => {
  await inTempDir(async (dir) => {
    const notJson = join(dir, "x.json");
    await Deno.writeTextFile(notJson, "hello");
    const r = await runCli(["report", notJson, "--html", join(dir, "x.html")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`${notJson} is not JSON .*Give a report written by --json`));
    const partial = join(dir, "partial.json");
    await Deno.writeTextFile(partial, JSON.stringify({ schema: "wedge.report", version: 1 }));
    const p = await runCli(["report", partial]);
    assert.equal(p.code, 2);
    assert.match(
      p.stderr,
      /report\.schema\.json: \(the report\) must have required property 'scenario'/,
    );
    const missing = await runCli(["report", join(dir, "none.json")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /none\.json cannot be read/);
  });
});

Deno.test("--html into a directory that does not exist is refused before anything runs (exit 2)", async () => {
  const r = await runCli(["hang-mre-ok", "--html", "/no/such/dir/run.html"]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /--html \/no\/such\/dir\/run\.html: cannot write the report there: its directory \/no\/such\/dir does not exist/,
  );
  assert.doesNotMatch(r.stderr + r.stdout, /Summary:/);
});
