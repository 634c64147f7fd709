// A first scenario: your own server (here docs/examples/my_server.mjs) under 4 clients x 16 in
// flight. Run it from the repository root: deno task scenario docs/examples/first_scenario.ts
import {
  allRequestsComplete,
  defineScenario,
  latencyBelow,
  noStallLongerThan,
  z,
} from "../../mod.ts";

const SERVER = new URL("./my_server.mjs", import.meta.url).pathname;

export default defineScenario({
  name: "first",
  description: "my own server under 4 clients x 16 in flight",
  params: z.object({ requests: z.number().int().positive().default(5000) }),
  servers: [{
    name: "app",
    command: ["node", SERVER, "--port", "{port}"], // wedge picks the port
    ready: { stdout: /listening on/ }, // or { port: true }, or { url: "http://127.0.0.1:{port}/health" }
  }],
  clients: (p) => [{ count: 4, concurrency: 16, requests: p.requests }],
  assert: [allRequestsComplete(), latencyBelow({ p99: "500ms" }), noStallLongerThan("5s")],
});
