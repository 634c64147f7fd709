/**
 * emfile — the same fleet shape under the same open-files limit, once as wedge's `Deno.serve`
 * servers (in a server host) and once as a `node:http` server (a command fleet): which fleets keep
 * accepting when their process runs out of file descriptors, and which recover once the load
 * eases.
 *
 * The seed (000, hyperium/hyper#2312) ran under `ulimit -Sn 512`, and "too many open files" came
 * first; its servers' accept loop stopped on any accept error. `Deno.serve` does the same:
 * "Too many open files" is fatal for its listener (compare denoland/deno#10148), while node:http
 * (libuv) sheds the connection it cannot accept and keeps going.
 *
 * Here: each fleet's process is limited to `nofile` open files (`limits` on the fleet; the
 * clients, in the runtime, keep the host's limit), and `clients` x `concurrency` connections
 * are opened to each fleet, more than its process may hold. Once the load ends and the clients'
 * connections are closed, every server is probed (a connect and one GET, for a few seconds):
 * `serversStayAccepting()` judges each fleet and says what the other did. Exits 1: the Deno fleet
 * stops accepting.
 */

import { defineScenario, hello, serversStayAccepting, z } from "../mod.ts";

const NODE_SERVER = new URL("./_node_hello_server.mjs", import.meta.url).pathname;

export default defineScenario({
  name: "emfile",
  description: "Deno.serve vs node:http at the fd limit: who keeps accepting, who recovers",
  params: z.object({
    nofile: z.number().int().positive().default(256).describe("each fleet's open-files limit"),
    nservers: z.number().int().positive().default(2).describe("servers per fleet"),
    clients: z.number().int().positive().default(4).describe("clients per fleet"),
    concurrency: z.number().int().positive().default(128).describe("in flight per client"),
    requests: z.number().int().positive().default(4000).describe("requests per fleet"),
    timeLimit: z.string().default("30s").describe("hard bound on the load"),
  }),
  timeLimit: (p) => p.timeLimit,
  servers: (p) => [
    { name: "deno", count: p.nservers, behavior: hello(), limits: { nofile: p.nofile } },
    {
      name: "node",
      count: p.nservers,
      command: ["node", NODE_SERVER, "--port", "{port}"],
      ready: { stdout: /listening on/ },
      limits: { nofile: p.nofile },
    },
  ],
  clients: (p) =>
    ["deno", "node"].map((target) => ({
      name: `to-${target}`,
      target,
      count: p.clients,
      concurrency: p.concurrency,
      requests: p.requests,
      timeout: "5s",
    })),
  assert: [serversStayAccepting()],
});
