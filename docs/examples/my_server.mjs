// Stands in for your own server, in any language: a node:http hello server that takes its port
// from --port and says on stdout when it listens. wedge starts it, as a command fleet, from
// docs/examples/first_scenario.ts.
import http from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string" } } });
const server = http.createServer((_request, response) => {
  response.writeHead(200, { "content-type": "text/plain" });
  response.end("Hello from my server\n");
});
server.listen(Number(values.port), "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${values.port}/`);
});
globalThis.process?.on("SIGTERM", () => server.close(() => globalThis.process.exit(0)));
