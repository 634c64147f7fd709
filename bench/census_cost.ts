/**
 * Benchmark: what one read of the TCP table costs, by netlink `sock_diag` and by
 * `/proc/net/tcp{,6}` (system/socket_census.ts `readTcpTable`), alternated in the same sitting,
 * with sockets this script makes on 127.0.0.1: `--held` connections kept open (two sockets each)
 * and `--time-wait` short connections (one TIME_WAIT each). Checks both sources list the same
 * sockets of its ports, then prints the median wall time and the process CPU time of a read.
 *
 *   deno run -A bench/census_cost.ts [--held 50] [--time-wait 0] [--reads 20]
 *   unshare -n sh -c 'ip link set lo up && deno run -A bench/census_cost.ts --held 7000 --time-wait 16000'
 *
 * In a network namespace of its own (the second line, as root) its sockets are the namespace's
 * alone and the host keeps its ports; the kernel's TCP hash table is still the host's, and both
 * sources walk all of it. Bounded: at most 9,000 held connections and 20,000 short ones; every
 * socket is closed before it exits.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { readTcpTable, type TcpTableSource } from "../system/socket_census.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    held: { type: "string", default: "50" },
    "time-wait": { type: "string", default: "0" },
    reads: { type: "string", default: "20" },
  },
});
const held = Math.min(9000, Number(args.values.held));
const timeWait = Math.min(20000, Number(args.values["time-wait"]));
const reads = Math.min(200, Number(args.values.reads));

function cpuMs(): number {
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, 100 ticks a second
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const port = (listener.addr as Deno.NetAddr).port;
const conns: Deno.Conn[] = [];
try {
  for (let i = 0; i < held; i++) {
    conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    conns.push(await listener.accept());
  }
  for (let i = 0; i < timeWait; i++) {
    const client = await Deno.connect({ hostname: "127.0.0.1", port });
    const server = await listener.accept();
    client.close(); // the end that closes first holds TIME_WAIT
    await server.read(new Uint8Array(1));
    server.close();
  }
  const ours = async (source: TcpTableSource) =>
    (await readTcpTable({ source }))!.filter((s) => s.localPort === port || s.remotePort === port)
      .map((s) => JSON.stringify(s)).sort().join("\n");
  const [netlink, proc] = [await ours("netlink"), await ours("proc")];
  const total = (await readTcpTable({ source: "netlink" }))!.length;
  console.log(
    `${held} held, ${timeWait} TIME_WAIT: ${total} TCP sockets in this namespace; ` +
      `netlink and /proc agree on this port's ${netlink.split("\n").length}: ${netlink === proc}`,
  );
  const wall: Record<TcpTableSource, number[]> = { auto: [], netlink: [], proc: [] };
  const cpu: Record<TcpTableSource, number[]> = { auto: [], netlink: [], proc: [] };
  const counts: Record<TcpTableSource, number[]> = { auto: [], netlink: [], proc: [] };
  for (let i = 0; i < reads; i++) {
    for (const source of ["netlink", "proc"] as const) {
      const [started, startedCpu] = [performance.now(), cpuMs()];
      counts[source].push((await readTcpTable({ source }))!.length);
      wall[source].push(performance.now() - started);
      cpu[source].push(cpuMs() - startedCpu);
    }
  }
  for (const source of ["netlink", "proc"] as const) {
    const average = cpu[source].reduce((a, b) => a + b, 0) / reads;
    console.log(
      `${source}: median ${median(wall[source]).toFixed(2)} ms a read, ` +
        `CPU ${average.toFixed(2)} ms a read (mean of ${reads}); sockets read ${
          counts[source].join(" ")
        }`,
    );
  }
  console.log(
    `ratio /proc : netlink (median wall) ${(median(wall.proc) / median(wall.netlink)).toFixed(1)}`,
  );
} finally {
  for (const conn of conns) conn.close();
  listener.close();
}
