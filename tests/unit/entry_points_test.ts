// The package's two library entries: mod.ts is the authoring API, report.ts what report readers
// use. These lists change only on purpose (a new export is an API decision, and so is a removal).
import assert from "node:assert/strict";
import * as mod from "../../mod.ts";
import * as report from "../../report.ts";
import denoConfig from "../../deno.json" with { type: "json" };

Deno.test("mod.ts exports the authoring API and nothing internal", () => {
  assert.deepEqual(Object.keys(mod).sort(), [
    "ScenarioError",
    "UsageError",
    "acceptSlowly",
    "allRequestsComplete",
    "assertPassed",
    "clientProcessesSucceed",
    "closeMidBody",
    "defineScenario",
    "delay",
    "fdsBelow",
    "handler",
    "hang",
    "hello",
    "latencyBelow",
    "leak",
    "noConnectErrors",
    "noListenOverflows",
    "noStallLongerThan",
    "openStreamsBelow",
    "perServer",
    "rateAchieved",
    "resetAfterHeaders",
    "rssDeltaBelow",
    "runScenario",
    "serial",
    "serverProcessesStayUp",
    "serversStayAccepting",
    "slowBody",
    "stopAccepting",
    "successRateAtLeast",
    "throughputAtLeast",
    "timeWaitBelow",
    "z",
  ]);
});

Deno.test("report.ts exports what a tool reading reports needs", () => {
  assert.deepEqual(Object.keys(report).sort(), [
    "DEFAULT_NOISE",
    "REPORT_SCHEMA",
    "REPORT_VERSION",
    "diffReports",
    "formatByteSize",
    "formatDuration",
    "judge",
    "judgeLeak",
    "renderDiff",
    "renderJUnit",
    "renderStallDiagnosis",
    "renderTextReport",
    "replayCommand",
  ]);
});

Deno.test("deno.json exports the authoring API, the report reader and the CLI", () => {
  assert.deepEqual(denoConfig.exports, {
    ".": "./mod.ts",
    "./report": "./report.ts",
    "./cli": "./cli/main.ts",
  });
});
