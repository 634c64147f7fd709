import assert from "node:assert/strict";
import { crashHint } from "../../report/crash_hint.ts";

// The tail of a Deno 2.9.6 server host that reached its fd limit 500 ms after it started.
const PANIC = `Deno has panicked. This is a bug in Deno. Please report this
thread 'main' (5895) panicked at ext/signals/lib.rs:58:61:
called \`Result::unwrap()\` on an \`Err\` value: Os { code: 24, kind: Uncategorized, message: "Too many open files" }`;

Deno.test("Deno's panic at its fd limit as it sets up signals is named; other crashes are not guessed at", () => {
  assert.match(
    crashHint(PANIC)!,
    /^Deno panicked setting up its signal handling at its open-files limit/,
  );
  assert.equal(crashHint(PANIC.replace("Too many open files", "Permission denied")), null);
  assert.equal(crashHint("Error: listen EADDRINUSE: address already in use"), null);
});
