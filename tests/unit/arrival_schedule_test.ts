// The open model's schedule and tickets, on a fake clock (plain numbers).
import assert from "node:assert/strict";
import { ArrivalSchedule, ArrivalTickets } from "../../plan/arrival_schedule.ts";

Deno.test("a constant rate sends request i at i/R, and counts what is due", () => {
  const s = new ArrivalSchedule({
    startRatePerSecond: 20_000,
    stages: [{ durationMs: 1000, ratePerSecond: 20_000 }],
  });
  assert.equal(s.total, 20_000);
  assert.equal(s.durationMs, 1000);
  assert.equal(s.timeOf(1), 0.05);
  assert.equal(s.timeOf(19_999), 999.95);
  assert.equal(s.timeOf(20_000), Infinity);
  assert.equal(s.dueBy(-1), 0);
  assert.equal(s.dueBy(0), 1);
  assert.equal(s.dueBy(500), 10_001);
  assert.equal(s.dueBy(5000), 20_000);
});

Deno.test("a ramp spreads its requests along the rising rate", () => {
  // 1000/s for 1 s, then a ramp to 3000/s over 1 s: 1000 + 2000 requests.
  const s = new ArrivalSchedule({
    startRatePerSecond: 1000,
    stages: [
      { durationMs: 1000, ratePerSecond: 1000 },
      { durationMs: 1000, ratePerSecond: 3000 },
    ],
  });
  assert.equal(s.total, 3000);
  for (let i = 0; i < 3000; i += 97) {
    const t = s.timeOf(i);
    assert.ok(t >= 0 && t < 2000, `${i} at ${t}`);
    assert.equal(s.dueBy(t + 1e-6), i + 1, `dueBy(timeOf(${i}))`);
    if (i > 0) assert.ok(t > s.timeOf(i - 1));
  }
  // Halfway through the ramp the rate is 2000/s: 1000 + (1000 + 2000) / 2 * 0.5 s = 1750 due.
  assert.equal(s.dueBy(1500), 1751);
  // The second half of the ramp sends more than the first.
  assert.ok(s.dueBy(2000) - s.dueBy(1500) > s.dueBy(1500) - s.dueBy(1000));
});

Deno.test("tickets: lanes reserve in order, wait for their time, and a stall makes a backlog", () => {
  const s = new ArrivalSchedule({
    startRatePerSecond: 1000,
    stages: [{ durationMs: Infinity, ratePerSecond: 1000 }],
  });
  const tickets = new ArrivalTickets(s, { startMs: 0, limit: 5000 });
  assert.equal(tickets.take(0, 0), 0);
  assert.equal(tickets.take(0, 1), 1);
  // Lanes were busy for 100 ms: requests 2..100 are due, queued.
  assert.equal(tickets.backlog(100), 99);
  assert.equal(tickets.take(100, 0), 2); // intended 2 ms: 98 ms of queue time
  assert.equal(tickets.takeDue(100, 1), 3);
  assert.equal(tickets.backlog(100), 97);
  // The limit ends it.
  const few = new ArrivalTickets(s, { startMs: 0, limit: 2 });
  few.take(0, 0);
  few.take(0, 0);
  assert.equal(few.take(10, 0), null);
});

Deno.test("tickets: past maxOwed, due requests are dropped and counted", () => {
  const s = new ArrivalSchedule({
    startRatePerSecond: 1000,
    stages: [{ durationMs: 10_000, ratePerSecond: 1000 }],
  });
  const tickets = new ArrivalTickets(s, { startMs: 0, maxOwed: 50 });
  // 1 s with 10 in flight and nothing taken: 1001 due, only 40 more may be owed.
  const at = tickets.take(1000, 10);
  assert.equal(tickets.dropped, 1001 - 40);
  assert.equal(at, 961); // the oldest request kept
  assert.equal(tickets.backlog(1000), 39);
  // Schedule over: nothing more is handed out.
  const done = new ArrivalTickets(s, { startMs: 0 });
  assert.equal(done.takeDue(20_000, 0), 0);
  done.taken = 10_000;
  assert.equal(done.take(20_000, 0), null);
});

Deno.test("a fleet's clients share one schedule: client k sends requests k, k+n, ...", () => {
  const fleet = { startRatePerSecond: 40, stages: [{ durationMs: 1000, ratePerSecond: 40 }] };
  const clients = [0, 1, 2, 3].map((index) =>
    new ArrivalSchedule({ ...fleet, share: { index, of: 4 } })
  );
  // Merged, their times are the fleet's: one every 25 ms, no bursts.
  const times = clients.flatMap((c) => Array.from({ length: c.total }, (_, i) => c.timeOf(i)))
    .sort((a, b) => a - b);
  assert.equal(times.length, 40);
  times.forEach((t, i) => assert.ok(Math.abs(t - i * 25) < 1e-9, `${i}: ${t}`));
  // What is due adds up to the fleet's due count at any time.
  const whole = new ArrivalSchedule(fleet);
  for (const at of [0, 10, 25, 26, 500, 999, 2000]) {
    assert.equal(clients.reduce((sum, c) => sum + c.dueBy(at), 0), whole.dueBy(at), `at ${at}`);
  }
  // A fractional count rounds up: 2.6 s at 1/s sends at 0, 1 and 2 s.
  const slow = new ArrivalSchedule({
    startRatePerSecond: 1,
    stages: [{ durationMs: 2600, ratePerSecond: 1 }],
  });
  assert.equal(slow.total, 3);
});
