import assert from "node:assert/strict";
import { serverProcessFds } from "../../run/stall_inputs.ts";

Deno.test("each server's fds are its command's, its fleet's host's or the runtime's; a URL's unknown", () => {
  const servers = [
    { fleet: "own", index: 0, placement: "runtime" },
    { fleet: "hosted", index: 0, placement: "host" },
    { fleet: "hosted", index: 1, placement: "host" },
    { fleet: "app", index: 0, placement: "command" },
    { fleet: "app", index: 1, placement: "command" },
    { fleet: "there", index: 0, placement: "external" },
  ] as const;
  const sampler = {
    processes: [
      { name: "runtime", role: "runtime", pid: 1, fleet: null },
      { name: "hosted (host)", role: "server-host", pid: 2, fleet: "hosted" },
      { name: "app[0]", role: "command", pid: 3, fleet: "app" },
      { name: "app[1]", role: "command", pid: 4, fleet: "app" },
    ] as const,
    busiestOpenFds: [40, 200, 33, null],
    fdLimits: [20000, 256, 32, 32],
  };
  assert.deepEqual(serverProcessFds({ servers: servers as never }, sampler), [
    { openFds: 40, fdLimit: 20000 },
    { openFds: 200, fdLimit: 256 },
    { openFds: 200, fdLimit: 256 },
    { openFds: 33, fdLimit: 32 },
    { openFds: null, fdLimit: 32 },
    null,
  ]);
});
