// libc through FFI (system/libc.ts) without --allow-ffi: the opener answers with a reason, never a
// prompt or a bare NotCapable; the epoll engine says once that it falls back to raw-deno, the
// netlink census answers null (it reads /proc then), and a raw run still counts every request.
import assert from "node:assert/strict";
import { ROOT, runCommand } from "../_cli.ts";

const LINUX = Deno.build.os === "linux";
const NO_FFI = [
  "--allow-read",
  "--allow-write",
  "--allow-net",
  "--allow-env",
  "--allow-run",
  "--allow-sys",
];

/** The repository's module at `path`, as a URL a script in another folder can import. */
function at(path: string): string {
  return new URL(`../../${path}`, import.meta.url).href;
}

/** Runs a script with `permissions`, stdin closed (a prompt would have nothing to read). */
async function runScript(permissions: string[], script: string) {
  const file = await Deno.makeTempFile({ prefix: "wedge_libc_", suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, script);
    return await runCommand(Deno.execPath(), [
      ...["run", "--quiet", "--config", `${ROOT}deno.json`, ...permissions, file],
    ]);
  } finally {
    await Deno.remove(file);
  }
}

const PROBE = `
import { openLibc } from "${at("system/libc.ts")}";
import { readTcpSockets } from "${at("system/sock_diag.ts")}";
import { epollUsable } from "${at("clients/epoll/engine.ts")}";
const libc = openLibc({ getpid: { parameters: [], result: "i32" } });
const urls = ["http://127.0.0.1:9/"];
console.log(JSON.stringify({
  pid: libc.symbols?.getpid() === Deno.pid,
  problem: libc.problem,
  census: (await readTcpSockets()) === null ? null : "netlink",
  epoll: [epollUsable(urls, [0]), epollUsable(urls, [0])],
}));
`;

Deno.test({
  name: "without --allow-ffi, libc's opener says what is needed, and each user falls back",
  ignore: !LINUX,
}, async () => {
  const { code, stdout, stderr } = await runScript(["--allow-read"], PROBE);
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout), {
    pid: false,
    problem: { kind: "permission", message: "needs --allow-ffi (or -A)" },
    census: null,
    epoll: [false, false],
  });
  // Said once per thread, however often the engine is asked; no prompt, no NotCapable.
  assert.equal(
    stderr,
    "wedge: the raw engine on epoll needs --allow-ffi (or -A); falling back to raw-deno\n",
  );
});

Deno.test(
  { name: "with --allow-ffi, libc opens for every user, silently", ignore: !LINUX },
  async () => {
    const { code, stdout, stderr } = await runScript(["--allow-read", "--allow-ffi"], PROBE);
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), {
      pid: true,
      problem: null,
      census: "netlink",
      epoll: [true, true],
    });
    assert.equal(stderr, "");
  },
);

Deno.test({
  name: "a raw run without --allow-ffi runs on raw-deno and counts every request",
  ignore: !LINUX,
}, async () => {
  const script = `
import { defineScenario, hello, runScenario } from "${at("mod.ts")}";
const report = await runScenario(defineScenario({
  name: "no-ffi",
  description: "raw without FFI",
  servers: [{ count: 2, behavior: hello() }],
  clients: [{ count: 2, concurrency: 4, requests: 300, engine: "raw" }],
}));
console.log(JSON.stringify({ codes: report.statusCodes, sent: report.totals.sent }));
`;
  const { code, stdout, stderr } = await runScript(NO_FFI, script);
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout.trim().split("\n").at(-1)!), {
    codes: { "200": 300 },
    sent: 300,
  });
  // Said once for the run (by the runtime), not once per worker thread: two workers here.
  assert.equal(
    stderr.split("\n").filter((line) =>
      line === "wedge: the raw engine on epoll needs --allow-ffi (or -A); falling back to raw-deno"
    ).length,
    1,
    stderr,
  );
});
