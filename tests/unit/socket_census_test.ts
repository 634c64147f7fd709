import assert from "node:assert/strict";
import {
  countSockets,
  forgetGone,
  parseProcNetTcp,
  socketsOnPorts,
} from "../../system/socket_census.ts";
import { readHostSettings } from "../../system/host_settings.ts";

// Captured from this machine during a run against a server on port 0xC350 (50000).
const TCP4 =
  `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:C350 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 1076 1 000000007c938027 100 0 0 10 0
   1: 0100007F:C350 0100007F:D27C 01 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:D27C 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2002 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:D27D 0100007F:C350 06 00000000:00000000 03:000005FE 00000000     0        0 0 3 000000004225a7df
   4: 0100007F:D27E 0100007F:C350 02 00000000:00000000 01:00000064 00000002     0        0 2003 1 0000000000000000 100 0 0 10 -1
   5: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2004 1 0000000000000000 20 4 30 10 -1
`;

const TCP6 =
  `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:C351 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3001 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:E000 00000000000000000000000001000000:C351 06 00000000:00000000 03:00000F00 00000000     0        0 0 3 0000000000000000
garbage line
`;

Deno.test("IPv4 and IPv6 lines parse to ports, states and receive queues", () => {
  const v4 = parseProcNetTcp(TCP4);
  assert.equal(v4.length, 6);
  assert.deepEqual(v4[0], {
    localPort: 50000,
    remotePort: 0,
    state: "LISTEN",
    rxQueue: 3,
    txQueue: 0,
  });
  assert.deepEqual(v4[3], {
    localPort: 0xd27d,
    remotePort: 50000,
    state: "TIME_WAIT",
    rxQueue: 0,
    txQueue: 0,
  });
  assert.equal(v4[4].state, "SYN_SENT");
  const v6 = parseProcNetTcp(TCP6);
  assert.deepEqual(v6, [
    { localPort: 50001, remotePort: 0, state: "LISTEN", rxQueue: 0, txQueue: 0 },
    { localPort: 0xe000, remotePort: 50001, state: "TIME_WAIT", rxQueue: 0, txQueue: 0 },
  ]);
});

Deno.test("the census splits a loopback connection's two ends and ignores other ports", () => {
  const census = countSockets(
    [...parseProcNetTcp(TCP4), ...parseProcNetTcp(TCP6)],
    new Set([50000, 50001]),
  );
  assert.deepEqual(census.server, { ESTABLISHED: 1 });
  assert.deepEqual(census.client, { ESTABLISHED: 1, TIME_WAIT: 2, SYN_SENT: 1 });
  assert.equal(census.timeWait, 2);
  assert.equal(census.established, 2);
  assert.deepEqual(census.acceptQueue, { "50000": 3 }, "3 connections wait to be accepted");
});

// A server on 0xC352 (50002) that accepted two connections: one request read (nothing queued),
// one still unread in the server's receive queue; a third connection answered, with the answer
// unread at the client; a fourth waits in the accept queue.
const SILENT = `  sl  local_address rem_address   st tx_queue rx_queue
   0: 0100007F:C352 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 1
   1: 0100007F:C352 0100007F:D000 01 00000000:00000000 00:00000000 00000000     0        0 2
   2: 0100007F:D000 0100007F:C352 01 00000000:00000000 00:00000000 00000000     0        0 3
   3: 0100007F:C352 0100007F:D001 01 00000000:0000004E 00:00000000 00000000     0        0 4
   4: 0100007F:D001 0100007F:C352 01 00000000:00000000 00:00000000 00000000     0        0 5
   5: 0100007F:C352 0100007F:D002 01 00000000:00000000 00:00000000 00000000     0        0 6
   6: 0100007F:D002 0100007F:C352 01 00000000:00000013 00:00000000 00000000     0        0 7
   7: 0100007F:C352 0100007F:D003 01 00000000:00000000 00:00000000 00000000     0        0 8
   8: 0100007F:D003 0100007F:C352 01 00000000:00000000 00:00000000 00000000     0        0 9
   9: 0100007F:C353 0100007F:D004 01 00000020:00000000 00:00000000 00000000     0        0 10
`;

Deno.test("per port: listener, accept queue, unread requests and unread answers", () => {
  const census = countSockets(parseProcNetTcp(SILENT), new Set([50002, 50003, 50004]));
  assert.deepEqual(census.ports["50002"], {
    listening: true,
    acceptQueue: 1,
    server: { ESTABLISHED: 4 },
    client: { ESTABLISHED: 4 },
    serverUnread: 1,
    serverUnsent: 0,
    clientUnread: 1,
  });
  assert.equal(census.ports["50003"].listening, false, "no LISTEN socket on 50003");
  assert.equal(census.ports["50003"].serverUnsent, 1, "32 bytes written, not acknowledged");
  assert.deepEqual(census.ports["50004"].server, {}, "a port without sockets is still listed");
});

Deno.test("the host's settings are read from /proc", { ignore: Deno.build.os !== "linux" }, () => {
  const h = readHostSettings();
  assert.ok(h.ephemeralPorts && h.ephemeralPorts[0] < h.ephemeralPorts[1]);
  assert.ok([0, 1, 2].includes(h.tcpTwReuse!));
  assert.ok(h.tcpFinTimeout! > 0);
  assert.ok(h.openFilesLimit! > 0);
});

Deno.test("sockets there before the load are left out; a new socket on the same ports is counted", () => {
  const port = new Set([8080]);
  const tw = (local: number) =>
    ({
      localPort: local,
      remotePort: 8080,
      state: "TIME_WAIT",
      rxQueue: 0,
      txQueue: 0,
      inode: 0,
    }) as const;
  const est = (local: number, inode: number) =>
    ({
      localPort: local,
      remotePort: 8080,
      state: "ESTABLISHED",
      rxQueue: 0,
      txQueue: 0,
      inode,
    }) as const;
  const listen = {
    localPort: 8080,
    remotePort: 0,
    state: "LISTEN",
    rxQueue: 0,
    txQueue: 0,
    inode: 1,
  } as const;
  const before = [listen, tw(50001), tw(50002), est(50003, 7), {
    ...est(9999, 8),
    remotePort: 40000,
  }];
  const leaveOut = socketsOnPorts(before, port);
  assert.equal(leaveOut.size, 3, "the two TIME_WAIT and the connection to 8080; not the listener");
  // Later: one old TIME_WAIT still there, the old connection, and the run's own two sockets,
  // one of them on the ports an old TIME_WAIT had (its inode tells them apart).
  const census = countSockets([listen, tw(50001), est(50003, 7), est(50002, 42), tw(50004)], port, {
    leaveOut,
  });
  assert.deepEqual(census.client, { ESTABLISHED: 1, TIME_WAIT: 1 });
  assert.equal(census.ports["8080"].listening, true);
  assert.deepEqual(countSockets(before, port).client, { TIME_WAIT: 2, ESTABLISHED: 1 });
});

Deno.test("a socket left out is forgotten once gone: the run's own TIME_WAIT on the same ports counts", () => {
  const port = new Set([8080]);
  const tw = {
    localPort: 50001,
    remotePort: 8080,
    state: "TIME_WAIT",
    rxQueue: 0,
    txQueue: 0,
    inode: 0,
  } as const;
  const leaveOut = socketsOnPorts([tw], port); // an earlier run's, there before the load
  forgetGone(leaveOut, [tw]); // still there: still left out
  assert.equal(countSockets([tw], port, { leaveOut }).timeWait, 0);
  // The run's connection took its ports (tcp_tw_reuse) while a census read: the old one is gone.
  forgetGone(leaveOut, [{ ...tw, state: "ESTABLISHED", inode: 77 }]);
  // It closed: a TIME_WAIT with the very same key, the run's own.
  assert.equal(countSockets([tw], port, { leaveOut }).timeWait, 1);
});
