/**
 * A plain `node:http` hello server, for comparing load tools against a server that is not
 * Deno.serve: answers every request with "Hello, World!" (text/plain), listens on 127.0.0.1 at a
 * free port, prints its URL (`http://127.0.0.1:PORT/`) on stdout, then serves until `--for`
 * elapses (bounded) or SIGINT/SIGTERM.
 *
 *   node bench/node_hello_server.mjs --for 60s
 *   deno run -A bench/node_hello_server.mjs --for 60s      (where node is not installed)
 *
 * @module
 */

import { createServer } from "node:http";
import process from "node:process";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { for: { type: "string", default: "60s" } },
});

/** Seconds in "60s", "1.5m", "500ms" or a bare number of seconds. */
function seconds(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new RangeError(`--for: not a duration: ${text}`);
  const unit = { ms: 0.001, s: 1, m: 60 }[match[2] ?? "s"];
  return Number(match[1]) * unit;
}

const forMs = seconds(values.for) * 1000;
let served = 0;
const server = createServer((_request, response) => {
  served++;
  response.writeHead(200, { "content-type": "text/plain" });
  response.end("Hello, World!");
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  clearTimeout(timer);
  server.close();
  server.closeAllConnections?.();
  process.stderr.write(`served ${served} requests; stopped\n`);
  process.exit(0);
}

const timer = setTimeout(stop, forMs);
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}/\n`);
});
