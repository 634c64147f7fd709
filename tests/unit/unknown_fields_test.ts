import assert from "node:assert/strict";
import { defineScenario, hello, ScenarioError } from "../../mod.ts";
import { perServer } from "../../scenario/behaviors.ts";
import { resolveScenario } from "../../scenario/resolve.ts";
import { closestField, unknownFieldMessage } from "../../scenario/unknown_fields.ts";

function issuesOf(parts: Record<string, unknown>): string[] {
  try {
    resolveScenario(defineScenario({
      name: "typos",
      description: "misspelt fields",
      servers: [{ behavior: hello() }],
      clients: [{ requests: 1 }],
      ...parts,
    } as never));
  } catch (error) {
    assert.ok(error instanceof ScenarioError, String(error));
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

Deno.test("the closest field is suggested only when it is close: a swap, a case, a letter", () => {
  assert.equal(closestField("stauts", ["status", "body"]), "status");
  assert.equal(closestField("Count", ["name", "count"]), "count");
  assert.equal(closestField("concurency", ["count", "concurrency"]), "concurrency");
  assert.equal(closestField("ab", ["xy"]), null);
  assert.equal(closestField("colour", ["name", "count"]), null);
  assert.equal(unknownFieldMessage("x", []), 'unknown field "x" (known fields: none)');
});

Deno.test("several unknown fields of one object: one issue each, at its own path", () => {
  assert.deepEqual(issuesOf({ clients: [{ requests: 1, concurency: 2, colour: "red" }] }), [
    'clients[0].concurency: unknown field "concurency" (did you mean "concurrency"?)',
    'clients[0].colour: unknown field "colour" (known fields: name, count, concurrency, requests, duration, target, select, request, timeout, pool, connections, sourceAddresses, workers, engine, pipelining, rate, stages, maxInFlight)',
  ]);
});

Deno.test("an unknown field of one server's behaviour names the server", () => {
  const odd = { kind: "hello", status: 200, body: "", headers: {}, stauts: 1 };
  assert.deepEqual(
    issuesOf({
      servers: [{ count: 2, behavior: perServer((i) => i === 1 ? odd as never : hello()) }],
    }),
    ['servers[0].behavior.stauts: for server 1: unknown field "stauts" (did you mean "status"?)'],
  );
});

Deno.test("a timeout's and a nested behaviour's unknown fields are worded the same", () => {
  assert.deepEqual(
    issuesOf({ clients: [{ requests: 1, timeout: { after: "1s", cancl: false } }] }),
    [
      'clients[0].timeout.cancl: unknown field "cancl" (did you mean "cancel"?)',
    ],
  );
  const inner = { kind: "hello", status: 200, body: "", headers: {}, bdy: "x" };
  assert.deepEqual(
    issuesOf({ servers: [{ behavior: { kind: "delay", latency: "1ms", then: inner } }] }),
    ['servers[0].behavior.then.bdy: unknown field "bdy" (did you mean "body"?)'],
  );
});
