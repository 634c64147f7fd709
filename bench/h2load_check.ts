/**
 * Cross-check of wedge's HTTP/2 server with nghttp2's tools (Debian: nghttp2-client): the stream
 * limit the server announces (`nghttp -nv`: SETTINGS_MAX_CONCURRENT_STREAMS) and h2load's req/s
 * below and above that limit. Skips with a note when the tools are missing; never fakes a figure.
 *
 *   deno run -A bench/h2load_check.ts [--requests 100000]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const { values } = parseArgs({
  args: Deno.args,
  options: { requests: { type: "string", default: "100000" } },
});

async function run(program: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(program, {
      args,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    return new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  } catch {
    return null;
  }
}

if (
  (await run("h2load", ["--version"])) === null || (await run("nghttp", ["--version"])) === null
) {
  console.log("skipped: h2load and nghttp are not installed (apt-get install -y nghttp2-client)");
  Deno.exit(0);
}

const server = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "bench/hello_server.ts", "--count", "1", "--for", "120s", "--protocol", "h2"],
  cwd: ROOT,
  stdout: "piped",
  stderr: "null",
}).spawn();
try {
  const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  while (!buffered.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the h2 hello server exited before printing its URL");
    buffered += value;
  }
  reader.releaseLock();
  const url = buffered.split("\n")[0].trim();
  const settings = await run("nghttp", ["-nv", url]) ?? "";
  // The server's SETTINGS frame (nghttp also prints the one it sends itself).
  const received = settings.slice(settings.indexOf("recv SETTINGS frame"));
  const limit = /SETTINGS_MAX_CONCURRENT_STREAMS\(0x03\):(\d+)/.exec(received)?.[1] ?? "?";
  console.log(
    `wedge h2 server (bench/hello_server.ts --protocol h2): max concurrent streams ${limit}`,
  );
  for (const streams of [100, 250]) {
    const args = ["-n", values.requests, "-c", "2", "-m", String(streams), url];
    const text = await run("h2load", args) ?? "";
    const rps = /finished in [\d.]+s, ([\d.]+) req\/s/.exec(text)?.[1] ?? "?";
    const done = /requests: .*?(\d+) succeeded, (\d+) failed/.exec(text);
    const protocol = /Application protocol: (\S+)/.exec(text)?.[1] ?? "?";
    console.log(
      `h2load ${args.slice(0, -1).join(" ")}: ${rps} req/s, protocol ${protocol}, ${
        done ? `${done[1]} succeeded, ${done[2]} failed` : "?"
      }`,
    );
  }
  console.log(`reproduce: deno run -A bench/h2load_check.ts --requests ${values.requests}`);
} finally {
  server.kill("SIGTERM");
  await server.stdout.cancel().catch(() => {});
  await server.status;
}
