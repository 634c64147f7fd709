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
import { startHelloProcess } from "./_hello_process.ts";

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

const server = await startHelloProcess({ forSeconds: 120, protocol: "h2" });
try {
  const url = server.url;
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
    const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(text)?.[1] ?? "?";
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
  await server.stop();
}
