import { describe, expect, it } from 'vitest';
import { LeaseRoom, sendSlot } from '../../src/bus/lease-room.ts';
import type { DeliveryRow } from '../../src/store/outbox.ts';

/** A room of `capacity` on one process (SQLite) or several (PostgreSQL), recording the worker's looks and ticks. */
function room(capacity: number, singleProcess = true) {
  const r = { looks: [] as string[], ticks: 0, running: true, room: undefined as unknown as LeaseRoom };
  r.room = new LeaseRoom({ capacity, running: () => r.running, singleProcess, wakeLoop: () => r.ticks++, look: (key) => r.looks.push(key) });
  r.room.owed = false;
  return r;
}

/** A row in flight the test ends: `end(true)` quietly (a send recorded as sent), `end(false)` not. */
function inFlight() {
  let end!: (quiet: boolean) => void;
  const quiet = new Promise<boolean>((resolve) => (end = resolve));
  return { quiet, end: async (ok: boolean) => (end(ok), await quiet, await new Promise((r) => setImmediate(r))) };
}

const row = (id: number) => ({ id }) as DeliveryRow;

describe('a worker\'s room for rows in flight and rows written already leased', () => {
  it('does not look after a quiet row on one process, and does after anything else', async () => {
    const r = room(4);
    const quiet = inFlight();
    r.room.track('chat:a', quiet.quiet);
    await quiet.end(true);
    expect(r.looks).toEqual([]);
    // Not quiet (a send retried or failed, a claimed turn): the key's next row or the retry's timer needs a look.
    const failed = inFlight();
    r.room.track('chat:a', failed.quiet);
    await failed.end(false);
    expect(r.looks).toEqual(['chat:a']);
    // Something was queued while it was in flight: it may wait behind this row.
    const during = inFlight();
    r.room.track('chat:b', during.quiet);
    r.room.woken();
    await during.end(true);
    expect(r.looks).toEqual(['chat:a', 'chat:b']);
    // A row of its key went in pending behind it; a later quiet row of that key does not look again.
    const blocking = inFlight();
    r.room.track('chat:c', blocking.quiet);
    r.room.waitsBehind('chat:c');
    await blocking.end(true);
    expect(r.looks).toEqual(['chat:a', 'chat:b', 'chat:c']);
    const later = inFlight();
    r.room.track('chat:c', later.quiet);
    await later.end(true);
    expect(r.looks).toEqual(['chat:a', 'chat:b', 'chat:c']);
  });

  it('counts a wake between the places being held and the row being tracked', async () => {
    const r = room(2);
    const s = inFlight();
    const slot = sendSlot(r.room, (_row, since) => r.room.track('chat:a', s.quiet, since))!;
    r.room.woken();
    slot.adopt(row(1));
    await s.end(true);
    expect(r.looks).toEqual(['chat:a']);
  });

  it('looks after every row when other processes write unseen (PostgreSQL), and holds no places there', async () => {
    const r = room(4, false);
    const s = inFlight();
    r.room.track('chat:a', s.quiet);
    await s.end(true);
    expect(r.looks).toEqual(['chat:a']);
    expect(r.room.hold(1).count).toBe(0);
  });

  it('holds places within the capacity, never while the last tick left rows, and gives them back once', async () => {
    const r = room(2);
    const busy = inFlight();
    r.room.track('chat:a', busy.quiet);
    const started: number[] = [];
    const slot = sendSlot(r.room, (x) => started.push(x.id))!;
    expect(r.room.free()).toBe(0);
    expect(sendSlot(r.room, () => undefined)).toBeUndefined();
    slot.adopt(row(7));
    slot.release();
    expect(started).toEqual([7]);
    // The test's start tracks nothing, so the adopted place is free again.
    expect(r.room.free()).toBe(1);
    // Rows the last tick could not take go first; a place given back unused then ticks for them.
    r.room.owed = true;
    expect(sendSlot(r.room, () => undefined)).toBeUndefined();
    r.room.owed = false;
    const back = sendSlot(r.room, () => undefined)!;
    r.room.owed = true;
    back.release();
    back.release();
    expect(r.ticks).toBe(1);
    expect(r.room.free()).toBe(1);
    r.room.owed = false;
    r.running = false;
    expect(sendSlot(r.room, () => undefined)).toBeUndefined();
    expect(r.room.hold(3).count).toBe(0);
    await busy.end(true);
  });
});
