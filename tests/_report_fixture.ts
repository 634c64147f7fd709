// A complete, plausible RunReport for tests of pure code (assertions, renderers).
import type { RunReport } from "../runtime/report.ts";

export function reportFixture(overrides: Partial<RunReport> = {}): RunReport {
  const base: RunReport = {
    schema: "wedge.report",
    version: 1,
    scenario: { name: "fixture", description: "a fixture", file: null, params: { n: 1 } },
    seed: 7,
    startedAt: "2026-11-23T00:00:00.000Z",
    durationMs: 2000,
    outcome: "completed",
    outcomeDetail: "every client finished",
    shape: { servers: 2, clients: 2, workers: 1, concurrency: 8 },
    totals: {
      planned: 1000,
      sent: 1000,
      completed: 1000,
      ok: 990,
      failed: 10,
      errors: 10,
      inFlight: 0,
      abandoned: 0,
    },
    successRate: 0.99,
    requestsPerSecond: 500,
    latency: {
      count: 990,
      min: 0.5,
      mean: 4,
      max: 80,
      stdev: 3,
      percentiles: { p50: 3, p75: 5, p90: 8, p95: 10, p99: 40, "p99.9": 70 },
      histogram: [{ le: 40, count: 980 }, { le: 80, count: 10 }],
    },
    statusCodes: { "200": 990 },
    errors: [{
      class: "connection_refused",
      message: "Connection refused (os error 111)",
      count: 10,
    }],
    servers: [
      {
        fleet: "s",
        index: 0,
        url: "http://127.0.0.1:1/",
        behavior: "hello 200",
        received: 500,
        responded: 500,
        completedByClients: 500,
        inFlight: 0,
        failure: null,
      },
      {
        fleet: "s",
        index: 1,
        url: "http://127.0.0.1:2/",
        behavior: "hello 200",
        received: 490,
        responded: 490,
        completedByClients: 500,
        inFlight: 0,
        failure: null,
      },
    ],
    clients: [
      { fleet: "c", index: 0, worker: 0, planned: 500, sent: 500, completed: 500, ok: 495 },
      { fleet: "c", index: 1, worker: 0, planned: 500, sent: 500, completed: 500, ok: 495 },
    ],
    timeline: [{ atMs: 1000, completed: 500, inFlight: 8, errors: 5, openFds: 40, rssBytes: 50e6 }],
    process: { pid: 4242, fdLimit: 20000, peakOpenFds: 40, peakRssBytes: 64 * 1024 * 1024 },
    longestStall: null,
    stall: null,
    incidents: [],
    assertions: [],
    passed: true,
  };
  return { ...base, ...overrides };
}
