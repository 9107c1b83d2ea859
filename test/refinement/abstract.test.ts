import { describe, expect, it } from 'vitest';
import { NUM_PRIORITIES, ROOT_TCB_PTR } from '../../spec/api';
import { bootState } from '../../spec/kernel';
import { boot } from '../../impl/kernel';
import { CTE_MDB_W0, CTE_MDB_W1, Mdb, setField } from '../../impl/model/layout';
import { abstract } from '../../refinement/abstract';
import { deepEqual, diff } from '../../refinement/diff';
import { rootSlotPtr } from '../helpers/scenario';
import { setSlotCap } from '../../impl/model/heap';
import { replyCapNew } from '../../impl/model/capability';
import { TCB_REPLY } from '../../spec/model/structures';
import { slotOf } from '../../spec/model/heap';

describe('refinement/abstract', () => {
  it('maps the concrete boot state to the spec boot state', () => {
    const a = abstract(boot());
    expect(a.violations).toEqual([]);
    expect(diff(bootState(), a.state)).toEqual([]);
    expect(deepEqual(bootState(), a.state)).toBe(true);
  });

  it('reports a broken MDB link as a representation violation', () => {
    const k = boot();
    const slot = rootSlotPtr(2);
    const a = slot + 4 * CTE_MDB_W0;
    k.mem.store(a, setField(k.mem.load(a), Mdb.next, rootSlotPtr(9)));
    expect(abstract(k).violations.map((v) => v.path)).toContain(`mdb[0x${rootSlotPtr(9).toString(16)}].prev`);
  });

  it('reports a ready-queue bitmap bit without a queue', () => {
    const k = boot();
    k.ksReadyQueuesL1Bitmap.set(0, 1);
    expect(
      abstract(k)
        .violations.map((v) => v.message)
        .join(),
    ).toMatch(/queues call for 0x0/);
  });

  it('reports a queued bit on a thread in no queue, and a queue whose tail is wrong', () => {
    const k = boot();
    k.ksReadyQueueHead.set(NUM_PRIORITIES - 1, ROOT_TCB_PTR);
    expect(
      abstract(k)
        .violations.map((v) => v.message)
        .join(),
    ).toMatch(/tail is 0x0 but the last queued thread is 0x10119000/);
  });

  it('notices a concrete change the spec did not make', () => {
    const k = boot();
    k.mem.store(rootSlotPtr(40), 0x0000_0003); // a frame cap with base 0 appears in an empty slot
    const a = abstract(k);
    expect(diff(bootState(), a.state).map((d) => d.path)).toContain(`caps[0x${rootSlotPtr(40).toString(16)}]`);
  });

  it('reports reply caps that break reply_mdb: one without its master above it, a master that is not revocable', () => {
    const k = boot();
    // A reply cap to the root thread alone in an empty slot: no MDB parent, so not below the master.
    setSlotCap(k, rootSlotPtr(40), replyCapNew(ROOT_TCB_PTR, false, true));
    expect(abstract(k).violations.map((v) => v.message)).toContain(`a reply cap to 0x${ROOT_TCB_PTR.toString(16)} whose MDB parent (none) is not that thread's master reply cap`);
    const k2 = boot();
    const master = slotOf(ROOT_TCB_PTR, TCB_REPLY);
    const a = master + 4 * CTE_MDB_W0;
    k2.mem.store(a, setField(k2.mem.load(a), Mdb.revocable, 0));
    expect(abstract(k2).violations.map((v) => v.message)).toContain(`the master reply cap to 0x${ROOT_TCB_PTR.toString(16)} is not revocable and first-badged`);
  });

  it('an MDB list that does not end is reported, and the reply-cap check does not walk it', () => {
    const k = boot();
    // The root reply master and a reply cap to the root thread point at each other, round and round.
    const master = slotOf(ROOT_TCB_PTR, TCB_REPLY);
    const reply = rootSlotPtr(40);
    setSlotCap(k, reply, replyCapNew(ROOT_TCB_PTR, false, true));
    const w0 = master + 4 * CTE_MDB_W0;
    k.mem.store(w0, setField(k.mem.load(w0), Mdb.next, reply));
    k.mem.store(reply + 4 * CTE_MDB_W0, setField(setField(0, Mdb.next, master), Mdb.revocable, 1));
    k.mem.store(reply + 4 * CTE_MDB_W1, setField(0, Mdb.prev, master));
    k.mem.store(master + 4 * CTE_MDB_W1, setField(k.mem.load(master + 4 * CTE_MDB_W1), Mdb.prev, reply));
    // Before the fix this walked the cycle until memory ran out.
    const vs = abstract(k).violations.map((v) => v.message);
    expect(vs.some((m) => /does not terminate|on no list from a head/.test(m))).toBe(true);
  });
});
