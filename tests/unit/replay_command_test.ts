import assert from "node:assert/strict";
import { z } from "zod";
import { replayCommand } from "../../report/replay_command.ts";
import { parseSetFlags, resolveParams } from "../../scenario/params.ts";

Deno.test("a replay command's --set values read back as the params the run had", () => {
  const params = { label: "5", flag: true, n: 40, note: "two words", list: [1, 2] };
  const command = replayCommand({
    scenario: { name: "x", description: "", file: "a.ts", params },
    seed: 7,
  });
  assert.match(command, /--set label=5 /);
  assert.match(command, /--set 'note=two words'/);
  const sets = [...command.matchAll(/--set ('([^']*)'|(\S+))/g)].map((m) => m[2] ?? m[3]);
  const schema = z.object({
    label: z.string(),
    flag: z.boolean(),
    n: z.number().int(),
    note: z.string(),
    list: z.array(z.number()),
  });
  assert.deepEqual(resolveParams(schema, parseSetFlags(sets)), { ok: true, params });
});
