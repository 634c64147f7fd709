// The behaviour constructors refuse options they do not take, where the scenario calls them:
// `hang({ evry: 3 })` used to hang every request, the typo dropped without a word.
import assert from "node:assert/strict";
import {
  acceptSlowly,
  closeMidBody,
  delay,
  hang,
  hello,
  leak,
  perServer,
  resetAfterHeaders,
  serial,
  slowBody,
  stopAccepting,
} from "../../scenario/behaviors.ts";
import { OptionError } from "../../scenario/errors.ts";
import { defineScenario, ScenarioError } from "../../mod.ts";
import { resolveScenario } from "../../scenario/resolve.ts";

const FILE = "tests/unit/behavior_options_test.ts";

/** The OptionError `make` throws, checked to name this file and the line it was called on. */
function optionError(make: () => unknown): string {
  const line = new Error().stack!.split("\n")[2].match(/:(\d+):\d+\)?$/)![1];
  try {
    make();
  } catch (error) {
    assert.ok(error instanceof OptionError, String(error));
    const at = ` at ${FILE}:${line}: `;
    assert.ok(error.message.includes(at), `${error.message} lacks${at}`);
    return error.message.replace(at, ": ");
  }
  assert.fail("no error");
}

Deno.test("a misspelt option: the constructor, the option it meant, this file and line", () => {
  assert.equal(
    optionError(() => hang({ evry: 3 } as never)),
    'hang(): unknown option "evry" (did you mean "every"?)',
  );
  assert.equal(
    optionError(() => hello({ stauts: 500 } as never)),
    'hello(): unknown option "stauts" (did you mean "status"?)',
  );
  assert.equal(
    optionError(() => closeMidBody({ bodyByte: 10 } as never)),
    'closeMidBody(): unknown option "bodyByte" (did you mean "bodyBytes"?)',
  );
  assert.equal(
    optionError(() => delay("1ms", { colour: 1 } as never)),
    'delay(): unknown option "colour" (known options: then)',
  );
  assert.equal(
    optionError(() => acceptSlowly({ perSecond: 1, brust: 2, thne: hello() } as never)),
    'acceptSlowly(): unknown option "brust" (did you mean "burst"?); ' +
      'unknown option "thne" (did you mean "then"?)',
  );
});

Deno.test("an options argument that is not an object, or missing where one is required", () => {
  assert.equal(
    optionError(() => hang(100 as never)),
    "hang(): expected an options object, got 100",
  );
  assert.equal(
    optionError(() => (slowBody as (o?: unknown) => unknown)()),
    "slowBody(): expected an options object, got nothing",
  );
});

Deno.test("every option a constructor documents is taken", () => {
  const then = hello();
  const select = { every: 2, after: 1, probability: 0.5 };
  assert.deepEqual(hang({ ...select, then }).select, select);
  assert.deepEqual(resetAfterHeaders({ ...select, then }).select, select);
  assert.equal(closeMidBody({ ...select, bodyBytes: 7, then }).bodyBytes, 7);
  assert.equal(hello({ status: 201, body: "x", headers: { a: "b" } }).status, 201);
  assert.equal(serial({ status: 202, body: "y", headers: {} }).answer.status, 202);
  assert.equal(slowBody({ bytesPerSecond: 1, bodyBytes: 2 }).bodyBytes, 2);
  assert.equal(stopAccepting({ after: 3, then }).after, 3);
  assert.equal(acceptSlowly({ perSecond: 1, burst: 4, then }).burst, 4);
  assert.equal(delay("1ms", { then }).then, then);
  assert.equal(leak(1, { then }).then, then);
  hang();
  hello();
});

Deno.test("inside perServer: the issue names the fleet's behaviour and the server", () => {
  try {
    resolveScenario(defineScenario({
      name: "typo",
      description: "a misspelt option for one server",
      servers: [{
        count: 2,
        behavior: perServer((i) => i === 1 ? hang({ aftr: 1 } as never) : hello()),
      }],
      clients: [{ requests: 1 }],
    }));
    assert.fail("no error");
  } catch (error) {
    assert.ok(error instanceof ScenarioError, String(error));
    assert.equal(error.issues.length, 1);
    assert.equal(error.issues[0].path, "servers[0].behavior");
    assert.match(
      error.issues[0].message,
      /^perServer\(\.\.\.\) threw for server 1: hang\(\) at tests\/unit\/behavior_options_test\.ts:\d+: unknown option "aftr" \(did you mean "after"\?\)$/,
    );
  }
});
