import assert from "node:assert/strict";
import { join } from "node:path";
import {
  MIN_SCENARIO_MARK,
  minScenarioPlace,
  minScenarioText,
  writeMinScenario,
} from "../../explore/min_scenario.ts";
import { probeLine, shrinkSummary } from "../../explore/shrink_text.ts";
import type { ShrinkResult } from "../../explore/shrink.ts";
import { loadScenario, SCENARIOS_DIR } from "../../scenario/load.ts";
import { describeParams, resolveParams } from "../../scenario/params.ts";

const NOTE = { scenario: "x", assertion: "allRequestsComplete", writtenAt: "2026-11-30T14:00:00Z" };

Deno.test("minScenarioPlace: next to a scenario file; a built-in one in the working directory", () => {
  assert.deepEqual(minScenarioPlace("tests/fixtures/threshold_hang.ts", "/repo"), {
    path: "/repo/tests/fixtures/threshold_hang.min.ts",
    importPath: "./threshold_hang.ts",
    builtIn: false,
  });
  const builtIn = minScenarioPlace("hang-server", "/tmp/work");
  assert.equal(builtIn.path, "/tmp/work/hang_server.min.ts");
  assert.equal(join("/tmp/work", builtIn.importPath), join(SCENARIOS_DIR, "hang_server.ts"));
  assert.equal(builtIn.builtIn, true);
});

Deno.test("the minimized scenario loads, has the shrunk defaults, and --set still overrides", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wedge-min-" });
  try {
    const place = minScenarioPlace("hang-server", dir);
    const text = minScenarioText(place.importPath, { nservers: 2, stallBound: "1s" }, NOTE);
    assert.equal(await writeMinScenario(place, text), null);
    const { definition } = await loadScenario(place.path);
    assert.equal(definition.name, "hang-server");
    assert.match(definition.description, /\(shrunk: nservers=2 stallBound=1s\)$/);
    const params = describeParams(definition.params!);
    assert.equal(params.find((p) => p.name === "nservers")?.default, 2);
    assert.equal(params.find((p) => p.name === "nclients")?.default, 4, "others unchanged");
    assert.equal(params.find((p) => p.name === "nservers")?.description, "hello servers");
    const resolved = resolveParams(definition.params!, { nclients: "3" });
    assert.ok(resolved.ok);
    assert.equal(resolved.params.nservers, 2);
    assert.equal(resolved.params.stallBound, "1s");
    assert.equal(resolved.params.nclients, 3);
    // written by wedge: overwritten next time; a file of the user's is left alone
    assert.equal(await writeMinScenario(place, text), null);
    await Deno.writeTextFile(place.path, "// mine\n");
    assert.match((await writeMinScenario(place, text))!, /not written by wedge --shrink/);
    assert.equal(await Deno.readTextFile(place.path), "// mine\n");
    assert.ok(text.startsWith(MIN_SCENARIO_MARK));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shrinkSummary says what was kept, how sure, and where the file is", () => {
  const record = (n: number, failing: boolean) => ({
    params: { n },
    failing,
    runs: failing ? 1 : 3,
    sameFailures: failing ? 1 : 0,
    otherFailures: [],
    failingSeeds: failing ? [9] : [],
    wallMs: 1000,
  });
  const result: ShrinkResult = {
    status: "done",
    start: { n: 40 },
    best: { n: 7 },
    assertion: "allRequestsComplete",
    bestProbe: record(7, true),
    probes: [record(40, true), record(1, false), record(7, true), record(6, false)],
    cacheHits: 0,
  };
  const axes = [{
    kind: "numeric" as const,
    name: "n",
    floor: 1,
    step: 1,
    read: Number,
    write: (n: number) => n,
  }];
  const text = shrinkSummary(result, {
    axes,
    repeat: 3,
    failRate: null,
    stoppedBy: null,
    elapsedMs: 8000,
    command: "deno task scenario x --seed 9 --set n=7",
    minFile: { shown: "./x.min.ts", builtIn: false, run: "deno task scenario ./x.min.ts" },
  }).join("\n");
  assert.match(text, /Minimal: +n=7 +\(from n=40\)/);
  assert.match(text, /failed 1 of 1 runs \(seeds 9\)/);
  assert.match(text, /passed all its runs \(3 or more\): a failure rate above 63%/);
  assert.match(text, /Minimized scenario: \.\/x\.min\.ts/);
  const stopped = shrinkSummary(result, {
    axes,
    repeat: 3,
    failRate: null,
    stoppedBy: { budget: "10m00s" },
    elapsedMs: 8000,
    command: "",
    minFile: null,
  }).join("\n");
  assert.match(stopped, /stopped: the budget of 10m00s ended/);
  assert.match(stopped, /may not be minimal/);
  assert.equal(probeLine(3, record(6, false), ["n"]), "   3  n=6  pass 0/3  1.00s");
});
