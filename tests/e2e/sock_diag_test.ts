// The netlink census (system/sock_diag.ts) against /proc/net/tcp{,6} on sockets this test makes on
// 127.0.0.1 and ::1: listeners with connections waiting to be accepted, accepted connections with
// bytes unread and bytes unsent, and TIME_WAIT. Both sources must give the same sockets.
import assert from "node:assert/strict";
import { readTcpSockets } from "../../system/sock_diag.ts";
import { readSocketCensus, readTcpTable } from "../../system/socket_census.ts";
import { readTcpByInode } from "../../system/process_sockets.ts";
import { socketInodes } from "../../system/proc_tree.ts";
import type { InodeSocket } from "../../system/tcp_socket.ts";

const LINUX = Deno.build.os === "linux";

interface Sockets {
  /** The listeners' ports. */
  ports: Set<number>;
  /** The local ports of the clients made here (the other end of every socket of ours). */
  clients: Set<number>;
  close(): Promise<void>;
}

/** Connects to the port and closes the server's end first: a TIME_WAIT at the server's port. */
async function timeWaitAt(listener: Deno.Listener): Promise<number> {
  const { hostname, port } = listener.addr as Deno.NetAddr;
  const client = await Deno.connect({ hostname, port });
  const server = await listener.accept();
  server.close(); // the end that closes first holds TIME_WAIT
  await client.read(new Uint8Array(1));
  client.close();
  return (client.localAddr as Deno.NetAddr).port;
}

/**
 * Per family: 3 listeners, each with 4 accepted connections, 2 waiting, 2 in TIME_WAIT; and on
 * the first listener a stranger's TIME_WAIT, as a socket an earlier test left on a port the kernel
 * gave again (CI once counted one): it shares a listener's port and is not one of ours.
 */
async function makeSockets(): Promise<Sockets> {
  const listeners: Deno.Listener[] = [];
  const conns: Deno.Conn[] = [];
  const clients = new Set<number>();
  const pending: Promise<unknown>[] = [];
  const connect = async (hostname: string, port: number) => {
    const client = await Deno.connect({ hostname, port });
    clients.add((client.localAddr as Deno.NetAddr).port);
    return client;
  };
  for (const hostname of ["127.0.0.1", "::1"]) {
    for (let i = 0; i < 3; i++) {
      const listener = Deno.listen({ hostname, port: 0 });
      listeners.push(listener);
      const port = (listener.addr as Deno.NetAddr).port;
      for (let j = 0; j < 4; j++) {
        const client = await connect(hostname, port);
        const server = await listener.accept();
        conns.push(client, server);
        await client.write(new Uint8Array(100 + j)); // unread at the server's end
        // A server end with a full send queue (the client never reads).
        if (j === 0) pending.push(server.write(new Uint8Array(8 << 20)).catch(() => {}));
      }
      for (let j = 0; j < 2; j++) {
        const client = await connect(hostname, port);
        const server = await listener.accept();
        client.close(); // the end that closes first holds TIME_WAIT
        await server.read(new Uint8Array(1));
        server.close();
      }
      if (listeners.length === 1) assert.ok(!clients.has(await timeWaitAt(listener)));
      // Left in the accept queue (accepted after the others: the queue is first in, first out).
      for (let j = 0; j < 2; j++) conns.push(await connect(hostname, port));
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 200)); // queues and FIN states settle
  return {
    ports: new Set(listeners.map((l) => (l.addr as Deno.NetAddr).port)),
    clients,
    close: async () => {
      for (const c of conns) c.close();
      for (const l of listeners) l.close();
      await Promise.all(pending);
    },
  };
}

/** Our sockets in the table: a listener, or a connection between one of our clients and one of our ports. */
function ours(sockets: InodeSocket[] | null, made: Sockets): string[] {
  assert.ok(sockets, "the TCP table could be read");
  const { ports, clients } = made;
  return sockets.filter((s) =>
    s.state === "LISTEN"
      ? ports.has(s.localPort)
      : (ports.has(s.localPort) && clients.has(s.remotePort)) ||
        (clients.has(s.localPort) && ports.has(s.remotePort))
  ).map((s) => JSON.stringify(s)).sort();
}

Deno.test({
  name: "netlink and /proc list the same sockets: states, ports, queues and inodes",
  ignore: !LINUX,
  async fn() {
    const made = await makeSockets();
    try {
      const netlink = ours(await readTcpTable({ source: "netlink" }), made);
      const proc = ours(await readTcpTable({ source: "proc" }), made);
      // 2 families x 3 listeners: 1 LISTEN, 6 connections (12 ends), 2 TIME_WAIT.
      assert.equal(netlink.length, 2 * 3 * (1 + 12 + 2));
      assert.deepEqual(netlink, proc);
      const states = netlink.map((s) => JSON.parse(s) as InodeSocket);
      assert.ok(states.some((s) => s.state === "TIME_WAIT"));
      assert.ok(states.some((s) => s.state === "LISTEN" && s.rxQueue === 2));
      assert.ok(states.some((s) => s.state === "ESTABLISHED" && s.txQueue > 0));
      assert.deepEqual(
        await readSocketCensus(made.ports, { source: "netlink" }),
        await readSocketCensus(made.ports, { source: "proc" }),
      );
      const inodes = socketInodes([Deno.pid])!;
      const byNetlink = await readTcpByInode(inodes, { source: "netlink" });
      assert.equal(byNetlink?.size, 2 * 3 * (1 + 8 + 2)); // listeners, accepted ends, clients
      assert.deepEqual(byNetlink, await readTcpByInode(inodes, { source: "proc" }));
    } finally {
      await made.close();
    }
  },
});

Deno.test({
  name: "1,000 netlink reads leave the process's open fds as they were",
  ignore: !LINUX,
  async fn() {
    const count = () => [...Deno.readDirSync("/proc/self/fd")].length;
    await readTcpSockets(); // libc opened once, before counting
    const before = count();
    for (let i = 0; i < 1000; i++) assert.ok(await readTcpSockets());
    assert.equal(count(), before);
  },
});

/** Runs the census in a process with these flags: what netlink answered, whether it saw a listener. */
async function censusWith(flags: string[], env: Record<string, string> = {}): Promise<unknown> {
  const script = `
    import { readTcpSockets } from "${new URL("../../system/sock_diag.ts", import.meta.url)}";
    import { readSocketCensus } from "${new URL("../../system/socket_census.ts", import.meta.url)}";
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    const census = await readSocketCensus(new Set([port]));
    const netlink = (await readTcpSockets())?.some((s) => s.localPort === port) ?? null;
    console.log(JSON.stringify({ netlink, listening: census?.ports[port].listening ?? null }));
    listener.close();
  `;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, script);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...flags, file],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(file));
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

Deno.test({
  name: "netlink needs --allow-ffi, /proc/net/tcp needs -A; without either the census is null",
  ignore: !LINUX,
  async fn() {
    const some = ["--allow-read", "--allow-net=127.0.0.1", "--allow-env"];
    // Deno reads /proc/net/tcp only with --allow-all; netlink needs only --allow-ffi.
    assert.deepEqual(await censusWith(some), { netlink: null, listening: null });
    assert.deepEqual(await censusWith([...some, "--allow-ffi"]), {
      netlink: true,
      listening: true,
    });
    // WEDGE_NO_SOCK_DIAG: /proc only, so without -A nothing, with -A the same census.
    const off = { WEDGE_NO_SOCK_DIAG: "1" };
    assert.deepEqual(await censusWith([...some, "--allow-ffi"], off), {
      netlink: true,
      listening: null,
    });
    assert.deepEqual(await censusWith(["-A"], off), { netlink: true, listening: true });
  },
});
