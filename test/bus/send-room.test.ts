import { describe, expect, it } from 'vitest';
import { SendRoom } from '../../src/bus/send-room.ts';
import type { DeliveryRow } from '../../src/store/outbox.ts';

/** A room of `capacity` on one process (SQLite) or several (PostgreSQL), counting the worker's ticks. */
function room(capacity: number, singleProcess = true) {
  const r = { ticks: 0, started: [] as number[], running: true, room: undefined as unknown as SendRoom };
  r.room = new SendRoom({ capacity, wakeLoop: () => r.ticks++, running: () => r.running, start: (row) => r.started.push(row.id), singleProcess });
  r.room.owed = false;
  return r;
}

/** A send the test ends: `end(true)` recorded as sent, `end(false)` not. */
function send() {
  let end!: (sent: boolean) => void;
  const sent = new Promise<boolean>((resolve) => (end = resolve));
  return { sent, end: async (ok: boolean) => (end(ok), await sent, await new Promise((r) => setImmediate(r))) };
}

const row = (id: number) => ({ id }) as DeliveryRow;

describe('the outbox worker\'s room for sends', () => {
  it('does not tick after a quiet chat\'s send was recorded on one process, and does after anything else', async () => {
    const r = room(4);
    const quiet = send();
    r.room.track('chat:a', quiet.sent);
    await quiet.end(true);
    expect(r.ticks).toBe(0);
    // Not recorded (retried, failed): the chat's next row or the retry's timer needs a tick.
    const failed = send();
    r.room.track('chat:a', failed.sent);
    await failed.end(false);
    expect(r.ticks).toBe(1);
    // Something was queued while it was in flight: it may wait behind this send.
    const during = send();
    r.room.track('chat:b', during.sent);
    r.room.woken();
    await during.end(true);
    expect(r.ticks).toBe(2);
    // A reply of its chat went in pending behind it; a later send of that chat is quiet again.
    const blocking = send();
    r.room.track('chat:c', blocking.sent);
    r.room.reserve()!.behind('chat:c');
    await blocking.end(true);
    expect(r.ticks).toBe(3);
    const later = send();
    r.room.track('chat:c', later.sent);
    await later.end(true);
    expect(r.ticks).toBe(3);
  });

  it('counts a wake between a reply\'s commit and the start of its send', async () => {
    const r = { ticks: 0 };
    const s = send();
    const sendRoom: SendRoom = new SendRoom({ capacity: 2, wakeLoop: () => r.ticks++, running: () => true, start: (_row, since) => sendRoom.track('chat:a', s.sent, since), singleProcess: true });
    sendRoom.owed = false;
    const slot = sendRoom.reserve()!;
    sendRoom.woken();
    slot.adopt(row(1));
    await s.end(true);
    expect(r.ticks).toBe(1);
  });

  it('ticks after every send when other processes queue unseen (PostgreSQL)', async () => {
    const r = room(4, false);
    const s = send();
    r.room.track('chat:a', s.sent);
    await s.end(true);
    expect(r.ticks).toBe(1);
  });

  it('holds places within the capacity, never while the last tick left rows, and gives them back once', async () => {
    const r = room(2);
    const inFlight = send();
    r.room.track('chat:a', inFlight.sent);
    const slot = r.room.reserve()!;
    expect(r.room.free()).toBe(0);
    expect(r.room.reserve()).toBeUndefined();
    slot.adopt(row(7));
    slot.release();
    expect(r.started).toEqual([7]);
    expect(r.room.free()).toBe(1);
    // Rows the last tick could not take go first.
    r.room.owed = true;
    expect(r.room.reserve()).toBeUndefined();
    r.room.owed = false;
    const back = r.room.reserve()!;
    back.release();
    back.release();
    expect(r.room.free()).toBe(1);
    r.running = false;
    expect(r.room.reserve()).toBeUndefined();
    await inFlight.end(true);
  });
});
