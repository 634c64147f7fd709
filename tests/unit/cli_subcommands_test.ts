// The subcommands' shared command line (cli/command_args.ts), through main() in-process: each
// answers --help and -h with its own help (exit 0), refuses an unknown flag naming it and a
// wrong number of arguments (exit 2), before reading any file.
import assert from "node:assert/strict";
import { main } from "../../cli/main.ts";

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (t: string) => void out.push(t),
    err: (t: string) => void err.push(t),
    cwd: Deno.cwd(),
    tty: false,
    color: false,
  };
  return { io, out, err };
}

const SUBCOMMANDS = [
  { name: "init", help: /^Usage: wedge init NAME/, wrong: ["init", "a", "b"] },
  { name: "diff", help: /^Usage: wedge diff A\.json B\.json/, wrong: ["diff", "a.json"] },
  { name: "report", help: /^Usage: wedge report RUN\.json/, wrong: ["report"] },
  { name: "merge", help: /^Usage: wedge merge DIR/, wrong: ["merge", "a", "b"] },
  { name: "k8s", help: /^Usage: wedge k8s NAME\|PATH/, wrong: null },
];

Deno.test("every subcommand answers --help and -h with its own help, exit 0", async () => {
  for (const { name, help } of SUBCOMMANDS) {
    for (const flag of ["--help", "-h"]) {
      const { io, out, err } = captureIo();
      assert.equal(await main([name, flag], io), 0, `${name} ${flag}`);
      assert.match(out.join(""), help, `${name} ${flag}`);
      assert.deepEqual(err, []);
    }
  }
});

Deno.test("every subcommand refuses an unknown flag, naming it and its --help, exit 2", async () => {
  for (const { name } of SUBCOMMANDS) {
    const { io, out, err } = captureIo();
    assert.equal(await main([name, "x", "--fast"], io), 2, name);
    assert.match(err.join(""), /Unknown option '--fast'/, name);
    if (name !== "k8s") assert.match(err.join(""), new RegExp(`${name}: .* See ${name} --help`));
    assert.deepEqual(out, []);
  }
});

Deno.test("a wrong number of arguments is refused with the usage, exit 2", async () => {
  for (const { name, wrong } of SUBCOMMANDS) {
    if (!wrong) continue;
    const { io, err } = captureIo();
    assert.equal(await main(wrong, io), 2, name);
    assert.match(err.join(""), new RegExp(`expected "${name} .*", got "${wrong.join(" ")}"`));
  }
});

Deno.test("merge --pass-rate is refused as the run's --pass-rate, before DIR is read", async () => {
  const { io, err } = captureIo();
  assert.equal(await main(["merge", "/no/such/dir", "--pass-rate", "120%"], io), 2);
  assert.match(err.join(""), /--pass-rate "120%": expected a fraction from 0 to 1/);
});
