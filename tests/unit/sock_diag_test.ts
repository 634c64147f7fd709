// The netlink sock_diag reader (system/sock_diag.ts): its request bytes and its parser, on a reply
// captured on this machine, against the /proc/net/tcp lines captured at the same moment.
import assert from "node:assert/strict";
import { parseSockDiag, sockDiagRequest } from "../../system/sock_diag.ts";
import { parseProcNetTcpInodes } from "../../system/socket_census.ts";
import type { InodeSocket } from "../../system/tcp_socket.ts";

// A listener on 127.0.0.1:41959 (0xA3E7) with one connection not accepted yet (5 bytes unread at
// the server's end), its client end, then NLMSG_DONE: the messages of one AF_INET dump about that
// port (2026-11-30, Linux x86_64, as root: attributes SHUTDOWN, SOCKOPT, CGROUP_ID, MARK follow).
const REPLY =
  "7c0000001400020007000000c90b0000020a0000a3e700007f00000100000000000000000000000000000000" +
  "00000000000000000000000000000000bc450000000000000000000001000000ff0100000000000030794200" +
  "050008000000000008000f00000000000c001500010000000000000006001600520000007c00000014000200" +
  "07000000c90b000002010000a3e7e4c67f0000010000000000000000000000007f0000010000000000000000" +
  "0000000000000000c24500000000000000000000050000000000000000000000000000000500080000000000" +
  "08000f00000000000c001500010000000000000006001600520000007c0000001400020007000000c90b0000" +
  "02010000e4c6a3e77f0000010000000000000000000000007f00000100000000000000000000000000000000" +
  "dc450000000000000000000000000000000000000000000031794200050008000000000008000f0000000000" +
  "0c00150001000000000000000600160052000000140000000300020007000000c90b000000000000";

// /proc/net/tcp at the same moment, for the same port.
const PROC = `
  11: 0100007F:A3E7 00000000:0000 0A 00000000:00000001 00:00000000 00000000     0        0 4356400 2 000000002e7d8872 100 0 0 10 0
 847: 0100007F:A3E7 0100007F:E4C6 01 00000000:00000005 00:00000000 00000000     0        0 0 1 0000000053e85973 20 4 30 10 -1
4447: 0100007F:E4C6 0100007F:A3E7 01 00000000:00000000 00:00000000 00000000     0        0 4356401 2 000000008a792e2e 20 0 0 11 -1
`;

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g)!, (byte) => parseInt(byte, 16));
}

Deno.test("a captured sock_diag reply parses to what /proc/net/tcp said of the same sockets", () => {
  const sockets: InodeSocket[] = [];
  assert.equal(parseSockDiag(hex(REPLY), sockets), "done");
  assert.deepEqual(sockets, parseProcNetTcpInodes(PROC));
  assert.deepEqual(sockets[0], {
    localPort: 41959,
    remotePort: 0,
    state: "LISTEN",
    rxQueue: 1,
    txQueue: 0, // the kernel puts the backlog limit (511) in a listener's wqueue
    inode: 4356400,
  });
});

Deno.test("a reply without NLMSG_DONE asks for more; an error, a cut or an unknown message stops", () => {
  const bytes = hex(REPLY);
  const done = bytes.length - 20;
  assert.equal(parseSockDiag(bytes.subarray(0, done), []), "more");
  assert.equal(parseSockDiag(bytes.subarray(0, done - 4), []), "error");
  const error = bytes.slice(done);
  error[4] = 2; // NLMSG_ERROR
  assert.equal(parseSockDiag(error, []), "error");
  const failed = bytes.slice(done);
  new DataView(failed.buffer).setInt32(16, -4, true); // NLMSG_DONE with -EINTR: cut short
  assert.equal(parseSockDiag(failed, []), "error");
  const other = bytes.slice(0, done);
  other[4] = 99;
  assert.equal(parseSockDiag(other, []), "error");
});

Deno.test("the dump request asks one family for TCP sockets in every state", () => {
  const request = sockDiagRequest(10);
  const view = new DataView(request.buffer);
  assert.equal(view.getUint32(0, true), 72);
  assert.equal(view.getUint16(4, true), 20); // SOCK_DIAG_BY_FAMILY
  assert.equal(view.getUint16(6, true), 0x301); // NLM_F_REQUEST | NLM_F_DUMP
  assert.equal(view.getUint32(8, true), 11);
  assert.deepEqual([...request.subarray(16, 18)], [10, 6]); // AF_INET6, IPPROTO_TCP
  assert.equal(view.getUint32(20, true), 0xffffffff);
  assert.ok(request.subarray(24).every((b) => b === 0));
});
