import assert from "node:assert/strict";
import { fdLimit, parseFdLimit, parseStatusKb, sampleProcess } from "../../system/process_probe.ts";

const STATUS = `Name:\tdeno
Umask:\t0022
State:\tS (sleeping)
VmPeak:\t19963680 kB
VmHWM:\t  485228 kB
VmRSS:\t  448172 kB
Threads:\t11
`;

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            512                  20000                files
Max locked memory         8388608              8388608              bytes
`;

Deno.test("VmRSS and VmHWM are read from /proc/PID/status in bytes", () => {
  assert.equal(parseStatusKb(STATUS, "VmRSS"), 448172 * 1024);
  assert.equal(parseStatusKb(STATUS, "VmHWM"), 485228 * 1024);
  assert.equal(parseStatusKb(STATUS, "VmSwap"), null);
});

Deno.test("the soft open-files limit is read from /proc/PID/limits", () => {
  assert.equal(parseFdLimit(LIMITS), 512);
  assert.equal(
    parseFdLimit("Max open files            unlimited            unlimited            files\n"),
    null,
  );
  assert.equal(parseFdLimit("nothing here"), null);
});

Deno.test("sampling this process sees the files it opens", {
  ignore: Deno.build.os !== "linux",
}, () => {
  const before = sampleProcess("self");
  assert.ok(
    before.openFds! > 0 && before.rssBytes! > 1024 * 1024 &&
      before.peakRssBytes! >= before.rssBytes!,
  );
  const files = Array.from({ length: 20 }, () => Deno.openSync("/dev/null"));
  try {
    // The runtime may open or close an fd of its own between two reads: allow 2 either way.
    const delta = sampleProcess("self").openFds! - before.openFds!;
    assert.ok(delta >= 18 && delta <= 22, `${delta} more fds after opening 20`);
  } finally {
    for (const f of files) f.close();
  }
  const after = sampleProcess("self").openFds! - before.openFds!;
  assert.ok(after >= -2 && after <= 2, `${after} fds more than before once the 20 are closed`);
  assert.ok(fdLimit("self")! >= before.openFds!);
});

Deno.test("a process that does not exist gives nulls, not an exception", () => {
  assert.deepEqual(sampleProcess(2 ** 22 + 7), {
    openFds: null,
    rssBytes: null,
    peakRssBytes: null,
  });
  assert.equal(fdLimit(2 ** 22 + 7), null);
});
