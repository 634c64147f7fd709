// The epoll loop's pacer (clients/epoll/pacer.ts): lanes are called at their due times, earliest
// first, never before; a lane that waits again from its call is called again once due.
import assert from "node:assert/strict";
import { type Paced, Pacer } from "../../clients/epoll/pacer.ts";
import { createRandom } from "../../plan/random.ts";

Deno.test("the pacer calls lanes in due order, only those due, each once", () => {
  const random = createRandom(7);
  const pacer = new Pacer();
  const called: number[] = [];
  const times = Array.from({ length: 500 }, () => Math.floor(random() * 1000));
  for (const dueAt of times) pacer.add({ dueAt, onDue: () => called.push(dueAt) });
  assert.equal(pacer.size, 500);
  let fired = 0;
  for (let now = 0; now < 1000; now += 37) {
    fired += pacer.fireDue(now);
    assert.ok(called.every((t) => t <= now), `a lane called before its time at ${now}`);
    assert.ok(pacer.earliest > now, `a due lane left waiting at ${now}`);
  }
  fired += pacer.fireDue(1000);
  assert.equal(fired, 500);
  assert.deepEqual(called, [...times].sort((a, b) => a - b));
  assert.equal(pacer.earliest, Infinity);
});

Deno.test("a lane that waits again from its call is called again once due", () => {
  const pacer = new Pacer();
  const calls: number[] = [];
  const lane: Paced = {
    dueAt: 10,
    onDue() {
      calls.push(this.dueAt);
      if (this.dueAt < 30) {
        this.dueAt += 10;
        pacer.add(this);
      }
    },
  };
  pacer.add(lane);
  assert.equal(pacer.fireDue(25), 2); // at 10 and 20; it now waits for 30
  assert.deepEqual(calls, [10, 20]);
  assert.equal(pacer.earliest, 30);
  pacer.clear();
  assert.equal(pacer.fireDue(100), 0);
});
