// A node:http hello server for the built-in `emfile` scenario (a command fleet): it takes its port
// from --port, answers every request "hello", and prints `listening on PORT` once it listens.
// Errors of the server (EMFILE while accepting, among others) are written to stderr and counted;
// node:http keeps accepting after them, which is what `emfile` compares Deno.serve against.
import http from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string" } } });
let errors = 0;
const server = http.createServer((_request, response) => response.end("hello"));
server.on("error", (error) => {
  if (errors++ < 5) process.stderr.write(`node server error: ${error.message}\n`);
});
server.listen(Number(values.port), "127.0.0.1", () => {
  process.stdout.write(`listening on ${values.port}\n`);
});
process.on("SIGTERM", () => {
  if (errors) process.stderr.write(`node server: ${errors} server errors in all\n`);
  process.exit(0);
});
