// Resolves a scenario that must be invalid and returns its problems as `path: message` lines.
import assert from "node:assert/strict";
import { defineScenario, ScenarioError } from "../mod.ts";
import { resolveScenario } from "../scenario/resolve.ts";

/** The parts of a scenario to resolve; the servers and clients default to one plain fleet each. */
export interface ScenarioParts {
  servers?: unknown[];
  clients?: unknown[];
  [field: string]: unknown;
}

/** Resolves the scenario, which must fail, and returns each issue as `path: message`. */
export function scenarioIssues(parts: ScenarioParts): string[] {
  const { servers = [{}], clients = [{ requests: 1 }], ...extra } = parts;
  try {
    resolveScenario(defineScenario({
      name: "bad",
      description: "d",
      servers: servers as never,
      clients: clients as never,
      ...extra,
    }));
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${error}`);
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail("expected a ScenarioError");
}
