// The engines count what happened, against subjects wedge did not write (node:http and raw
// node:net servers in tests/fixtures/misbehaving_http_server.mjs): the keep-alive race, two
// answers to one request, error classes that agree across engines, redirects never followed,
// endless bodies streamed and discarded.
import assert from "node:assert/strict";
import { defineScenario, runScenario } from "../../mod.ts";

/** The raw engine on epoll (FFI) and on Deno.connect: every raw test runs on both. */
const RAW_ENGINES = ["raw", "raw-deno"] as const;

const FIXTURE = new URL("../fixtures/misbehaving_http_server.mjs", import.meta.url).pathname;

/** A running fixture server: its JSON line, a way to ask it for hits, and its end. */
interface Subject {
  url: string;
  info: Record<string, number>;
  ask(line: string): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

async function startSubject(mode: string): Promise<Subject> {
  const child = new Deno.Command("node", {
    args: [FIXTURE, mode],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  async function nextLine(): Promise<string> {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`fixture ${mode} ended before a line`);
      buffered += value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return line;
  }
  const info = JSON.parse(await nextLine());
  return {
    url: `http://127.0.0.1:${info.port}/`,
    info,
    async ask(line) {
      await writer.write(new TextEncoder().encode(line + "\n"));
      return JSON.parse(await nextLine());
    },
    async stop() {
      await writer.close().catch(() => {});
      const status = await child.status;
      await lines.cancel().catch(() => {});
      assert.equal(status.success, true, `fixture ${mode} exited with ${status.code}`);
      assert.throws(() => Deno.kill(child.pid, "SIGCONT"), `fixture ${mode} still runs`);
    },
  };
}

Deno.test("keep-alive race: every engine counts it, raw retries only unwritten requests", async () => {
  // The server closes each idle connection 1 ms after its response; an open model at 1000/s
  // reuses connections about that long after they went idle, so reuse races the close.
  const subject = await startSubject("keep-alive-race");
  const seen: Record<string, { race: number; retried: number | null; ok: number }> = {};
  try {
    for (const engine of ["fetch", ...RAW_ENGINES] as const) {
      const report = await runScenario(defineScenario({
        name: "race",
        description: "d",
        servers: [{ url: subject.url }],
        clients: [{ duration: "2s", rate: "1000/s", concurrency: 8, engine }],
      }));
      const race = report.errors
        .filter((e) => e.class === "connection_closed" || e.class === "connection_reset")
        .reduce((sum, e) => sum + e.count, 0);
      seen[engine] = { race, retried: report.totals.retried, ok: report.totals.ok };
      // Every request is an answer or the race: nothing else, nothing left out.
      assert.equal(report.totals.ok + race, report.totals.completed, JSON.stringify(report.errors));
      if (engine !== "fetch") {
        assert.equal(
          report.totals.retried,
          report.retries.reduce((sum, e) => sum + e.count, 0),
          JSON.stringify(report.retries),
        );
        assert.ok(
          report.retries.every((e) =>
            e.class === "connection_closed" || e.class === "connection_reset"
          ),
          JSON.stringify(report.retries),
        );
      } else assert.equal(report.totals.retried, null); // hyper's retries are not seen
    }
  } finally {
    await subject.stop();
  }
  console.log("keep-alive race at 1000/s for 2 s, connection_closed + connection_reset:", seen);
  const { fetch, raw, "raw-deno": rawDeno } = seen;
  // hyper's pool learns of the server's close in native code, so fetch meets the race least: 24-35
  // times in 2 s on an idle machine here, 4 on a CI machine. Hiding it would count none.
  assert.ok(fetch.race >= 1, `fetch counted ${fetch.race}`);
  assert.ok(raw.race >= 5, `raw counted ${raw.race}`);
  assert.ok(rawDeno.race >= 5, `raw-deno counted ${rawDeno.race}`);
  // Raw hides nothing: each raw engine counts at least a tenth of what fetch counts on the same
  // load. raw-deno meets the race more often than fetch (3-18x measured): it learns of the
  // server's close in JS, about 2 ms later than hyper's pool does in native code (IDLE_CHECK_MS in
  // clients/raw_engine.ts). Epoll raw reads an idle connection before reusing it, at once.
  for (const r of [raw, rawDeno]) assert.ok(r.race * 10 >= fetch.race, JSON.stringify(seen));
  assert.ok(raw.retried! > 0, "raw found pooled connections closed and counted the retries");
  assert.ok(rawDeno.retried! > 0, "raw-deno found pooled connections closed");
});

for (const engine of RAW_ENGINES) {
  Deno.test(`${engine}: a second response to one request is a protocol error, not a second ok`, async () => {
    const subject = await startSubject("answer-twice");
    try {
      const report = await runScenario(defineScenario({
        name: "twice",
        description: "d",
        servers: [{ url: subject.url }],
        clients: [{ requests: 20, concurrency: 2, engine }],
      }));
      assert.equal(report.totals.completed, 20);
      assert.equal(report.totals.ok, 0, JSON.stringify(report.statusCodes));
      assert.deepEqual(report.errors.map((e) => [e.class, e.count]), [["protocol_error", 20]]);
      assert.match(report.errors[0].message, /no request waiting/);
    } finally {
      await subject.stop();
    }
  });
}

for (const engine of RAW_ENGINES) {
  Deno.test(`${engine}: a body longer than its Content-Length is a protocol error that says so`, async () => {
    const subject = await startSubject("short-content-length");
    try {
      const report = await runScenario(defineScenario({
        name: "short-cl",
        description: "d",
        servers: [{ url: subject.url }],
        clients: [{ requests: 20, concurrency: 2, engine }],
      }));
      // The bytes after the declared body came with the response: it cannot be trusted.
      assert.deepEqual(report.errors.map((e) => [e.class, e.count]), [["protocol_error", 20]]);
      assert.match(report.errors[0].message, /a body longer than its Content-Length/);
    } finally {
      await subject.stop();
    }
  });
}

for (const engine of RAW_ENGINES) {
  Deno.test(`${engine}: a second response that comes while the connection idles is a protocol error too`, async () => {
    const subject = await startSubject("answer-twice-later");
    try {
      // One request every 200 ms on one connection: each second answer comes 30 ms after the
      // first, while the connection sits idle in the pool, and is found before the next request.
      const report = await runScenario(defineScenario({
        name: "twice-later",
        description: "d",
        servers: [{ url: subject.url }],
        clients: [{ duration: "1s", rate: "5/s", engine }],
      }));
      assert.equal(report.totals.completed, 5);
      assert.ok(report.totals.errors >= 4, JSON.stringify(report.totals));
      assert.equal(report.totals.ok + report.totals.errors, 5);
      assert.deepEqual(report.errors.map((e) => e.class), ["protocol_error"]);
      assert.equal(report.errors[0].count, report.totals.errors);
      assert.equal(report.statusCodes["200"] ?? 0, report.totals.ok);
    } finally {
      await subject.stop();
    }
  });
}

Deno.test("error classes agree across engines on the same misbehaving servers", async () => {
  for (
    const [mode, expected] of [
      ["head-too-large", "protocol_error"],
      ["reset-after-head", "connection_reset"],
      ["reset-on-accept", "connection_reset"],
    ] as const
  ) {
    const subject = await startSubject(mode);
    try {
      for (const engine of ["fetch", ...RAW_ENGINES] as const) {
        const report = await runScenario(defineScenario({
          name: mode,
          description: "d",
          servers: [{ url: subject.url }],
          clients: [{ requests: 10, concurrency: 2, engine }],
        }));
        assert.equal(report.totals.errors, 10, `${mode} ${engine}`);
        assert.deepEqual(
          [...new Set(report.errors.map((e) => e.class))],
          [expected],
          `${mode} ${engine}: ${JSON.stringify(report.errors)}`,
        );
      }
    } finally {
      await subject.stop();
    }
  }
});

Deno.test("redirects are responses, counted by status, never followed", async () => {
  const subject = await startSubject("redirect");
  try {
    for (const engine of ["fetch", ...RAW_ENGINES] as const) {
      const report = await runScenario(defineScenario({
        name: "redirect",
        description: "d",
        servers: [{ url: subject.url }],
        clients: [{ requests: 20, concurrency: 2, engine }],
      }));
      assert.deepEqual(report.statusCodes, { "302": 20 }, engine);
      assert.equal(report.totals.errors, 0, JSON.stringify(report.errors));
    }
    assert.deepEqual(await subject.ask("hits?"), { hits: 0 }); // 127.0.0.2 never saw a request
  } finally {
    await subject.stop();
  }
});

Deno.test("endless bodies are streamed and discarded: bounded memory, bytes counted, duration kept", async () => {
  const subject = await startSubject("endless-body");
  const runner = new URL("../fixtures/endless_body_run.ts", import.meta.url).pathname;
  const figures: Record<string, unknown> = {};
  try {
    const runs = [["fetch", "1s"], ["raw", "1s"], ["raw-deno", "1s"], ["fetch", ""], ["raw", ""]];
    for (const [engine, timeout] of runs) {
      const started = performance.now();
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", runner, subject.url, engine, timeout],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      const wallMs = performance.now() - started;
      assert.equal(output.code, 0);
      const run = JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
      const label = `${engine}${timeout ? ` timeout ${timeout}` : " no timeout"}`;
      figures[label] = {
        peakRssMiB: Math.round(run.peakRssBytes / 2 ** 20),
        bodyMiB: Math.round(run.totals.bodyBytes / 2 ** 20),
        durationMs: Math.round(run.durationMs),
        wallMs: Math.round(wallMs),
      };
      // Gigabytes went by; a few hundred MiB at most stayed (a Deno process with workers idles
      // near 100 MiB).
      assert.ok(run.totals.bodyBytes > 256 * 2 ** 20, `${label}: ${run.totals.bodyBytes} bytes`);
      assert.ok(run.peakRssBytes < 400 * 2 ** 20, `${label}: peak RSS ${run.peakRssBytes}`);
      if (timeout) {
        assert.ok(run.totals.errors > 0 && run.errors[0].class === "timeout", label);
      } else {
        // No request ever ends: the run stops at its 2 s duration plus the 2 s grace.
        assert.equal(run.outcome, "completed");
        assert.match(run.outcomeDetail, /duration ended; requests still in flight 2(\.00)?s later/);
        assert.ok(run.durationMs >= 3900 && run.durationMs < 15_000, String(run.durationMs));
        assert.equal(run.totals.inFlight, 4);
      }
    }
  } finally {
    await subject.stop();
  }
  console.log("endless 64 KiB-chunk body, 4 lanes for 2 s:", figures);
});

for (const engine of RAW_ENGINES) {
  Deno.test(`${engine}: requests pipelined behind a response that announced the close say so`, async () => {
    const subject = await startSubject("close-after-one");
    try {
      const report = await runScenario(defineScenario({
        name: "behind-close",
        description: "d",
        servers: [{ url: subject.url }],
        clients: [{ requests: 40, concurrency: 2, engine, pipelining: 4 }],
      }));
      // Each connection: the first of 4 answered, 3 behind it never read.
      assert.equal(report.totals.ok, 10, JSON.stringify(report.errors));
      assert.deepEqual(report.errors.map((e) => [e.class, e.count]), [["connection_closed", 30]]);
      assert.match(report.errors[0].message, /announced it \(Connection: close, or HTTP\/1\.0\)/);
    } finally {
      await subject.stop();
    }
  });
}
