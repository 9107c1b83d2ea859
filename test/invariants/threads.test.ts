/**
 * The thread, IPC-queue, reply-cap, scheduler and bound-notification
 * invariants (invariants/wellFormed/threads.ts): each holds on a state reached
 * by a real scenario (run through both kernels), and each reports a realistic
 * break of that state with the path where it is broken.
 */
import { describe, expect, it } from 'vitest';
import { INVARIANTS, wellFormed } from '../../invariants/wellFormed';
import { hex } from '../../invariants/violation';
import { getCap, getTCB, slotOf } from '../../spec/model/heap';
import { mapDelete, mapSet, setDelete } from '../../spec/model/immutable';
import { type KernelState, readyQueueIndex } from '../../spec/model/state';
import { type KernelObject, type PPtr, type TCB as TcbObject, type ThreadState, TCB_BUFFER, TCB_CALLER, TCB_REPLY, TCB_VTABLE, running } from '../../spec/model/structures';
import { FREE, ObjType } from '../helpers/boot';
import { TCB, call, msg, recv, yieldNow } from '../../refinement/scenario';
import { ROOT, rootSlot, rootSlotPtr, run } from '../helpers/scenario';
import { retypeInto, spawnThread, tcbAt } from '../helpers/threads';

// ---------------------------------------------------------------- the scenario

const EP1 = FREE; // TD waits to send (a Call) here; TA's Call was received by the root task
const EP2 = FREE + 1; // TB waits to receive here
const N = FREE + 2; // bound to TC, which waits on it
const N2 = FREE + 3; // TF waits on it (unbound)
const TA = FREE + 4;
const TB = FREE + 5;
const TC = FREE + 6;
const TD = FREE + 7;
const TE = FREE + 8; // priority 200: ready but never chosen while the root task runs
const TF = FREE + 9;

/**
 * Threads at the root task's priority run last-spawned first once it yields,
 * so they are spawned in reverse: TA calls EP1, TB receives on EP2, TC (bound
 * to N) waits on N, TD calls EP1, TF waits on N2, and then the root task
 * receives TA's call, leaving TA BlockedOnReply and a reply cap in the root
 * task's caller slot.
 */
const scenario = (): KernelState =>
  run([
    retypeInto(ObjType.Endpoint, EP1, 2),
    retypeInto(ObjType.Notification, N, 2),
    ...spawnThread(TF, { buffer: 6 }),
    ...spawnThread(TD, { buffer: 4 }),
    ...spawnThread(TC, { buffer: 3 }),
    ...spawnThread(TB, { buffer: 2 }),
    ...spawnThread(TA, { buffer: 1 }),
    ...spawnThread(TE, { buffer: 5, prio: 200 }),
    TCB.bindNotification(TC, N),
    yieldNow(),
    call(EP1, msg(0, [1])), // TA
    recv(EP2), // TB
    recv(N), // TC
    call(EP1, msg(0, [2])), // TD
    recv(N2), // TF
    recv(EP1), // the root task
  ]).state;

const S = scenario();

const objPtr = (s: KernelState, slot: number): PPtr => {
  const c = rootSlot(s, slot);
  if (c._tag !== 'EndpointCap' && c._tag !== 'NotificationCap') throw new Error(`root slot ${slot} holds ${c._tag}`);
  return c.ptr;
};

const ep1 = objPtr(S, EP1);
const ep2 = objPtr(S, EP2);
const n1 = objPtr(S, N);
const n2 = objPtr(S, N2);
const [ta, tb, tc, td, te, tf] = [TA, TB, TC, TD, TE, TF].map((slot) => tcbAt(S, slot)) as [PPtr, PPtr, PPtr, PPtr, PPtr, PPtr];
const callerSlot = slotOf(ROOT, TCB_CALLER);

// ---------------------------------------------------------------- breaking it

const only = (s: KernelState, name: string) => {
  const inv = INVARIANTS.find(([n]) => n === name);
  if (inv === undefined) throw new Error(`no invariant ${name}`);
  return inv[1](s);
};

const setObj = (s: KernelState, p: PPtr, o: KernelObject): KernelState => ({ ...s, objects: mapSet(s.objects, p, o) });
const updTcb = (s: KernelState, p: PPtr, f: (t: TcbObject) => TcbObject): KernelState => setObj(s, p, f(getTCB(s, p)));
const setState = (s: KernelState, p: PPtr, st: ThreadState): KernelState => updTcb(s, p, (t) => ({ ...t, state: st }));
const setEpQueue = (s: KernelState, p: PPtr, tag: 'SendEP' | 'RecvEP', queue: readonly PPtr[]): KernelState => setObj(s, p, { _tag: 'Endpoint', state: { _tag: tag, queue } });
const ntfn = (s: KernelState, p: PPtr) => {
  const o = s.objects.get(p);
  if (o?._tag !== 'Notification') throw new Error('not a notification');
  return o;
};
const epState = (s: KernelState, p: PPtr) => {
  const o = s.objects.get(p);
  if (o?._tag !== 'Endpoint') throw new Error('not an endpoint');
  return o.state;
};
const prio255 = readyQueueIndex(0, 255);
const prio200 = readyQueueIndex(0, 200);

// ---------------------------------------------------------------- tests

describe('invariants/wellFormed/threads', () => {
  it('the scenario reaches every shape the invariants speak about', () => {
    expect(epState(S, ep1)).toEqual({ _tag: 'SendEP', queue: [td] });
    expect(getTCB(S, td).state).toMatchObject({ _tag: 'BlockedOnSend', ep: ep1, isCall: true });
    expect(epState(S, ep2)).toEqual({ _tag: 'RecvEP', queue: [tb] });
    expect(ntfn(S, n1)).toEqual({ _tag: 'Notification', state: { _tag: 'WaitingNtfn', queue: [tc] }, boundTCB: tc });
    expect(getTCB(S, tc).boundNotification).toBe(n1);
    expect(ntfn(S, n2).state).toEqual({ _tag: 'WaitingNtfn', queue: [tf] });
    expect(getTCB(S, ta).state._tag).toBe('BlockedOnReply');
    expect(getCap(S, callerSlot)).toEqual({ _tag: 'ReplyCap', tcb: ta, master: false, canGrant: true });
    expect(S.cdt.parent.get(callerSlot)).toBe(slotOf(ta, TCB_REPLY));
    expect(S.curThread).toBe(ROOT);
    expect([...S.readyQueues]).toEqual([[prio200, [te]]]);
    expect(getTCB(S, te).state._tag).toBe('Restart');
  });

  it('every thread invariant is registered and the whole set holds on the scenario', () => {
    const names = INVARIANTS.map(([n]) => n);
    for (const n of [
      'threadsInTheirQueues',
      'queuesHoldBlockedThreads',
      'queuesWellFormed',
      'replyCapsToCallers',
      'replyMastersInReplySlots',
      'callerSlotsHoldReplyCaps',
      'replyCapsInCdt',
      'tcbSlotsHoldRightCaps',
      'readyQueuesValid',
      'runnableThreadsQueued',
      'currentThreadValid',
      'idleThreadValid',
      'schedulingParamsInRange',
      'boundNotificationsSymmetric',
      'boundNotificationWaiters',
    ]) {
      expect(names).toContain(n);
      expect(only(S, n)).toEqual([]);
    }
    expect(wellFormed(S)).toEqual([]);
  });

  describe('thread states and IPC queues', () => {
    it('threadsInTheirQueues: a sender dropped from its queue but still blocked', () => {
      const bad = setObj(S, ep1, { _tag: 'Endpoint', state: { _tag: 'IdleEP' } });
      expect(only(bad, 'threadsInTheirQueues')).toEqual([{ path: `objects[${hex(td)}].state`, message: `BlockedOnSend on ${hex(ep1)}, but that endpoint is IdleEP` }]);
      // Still a SendEP, but the queue lost this thread (another sender remains).
      const lost = setState(setEpQueue(S, ep1, 'SendEP', [ta]), ta, getTCB(S, td).state);
      expect(only(lost, 'threadsInTheirQueues')).toEqual([{ path: `objects[${hex(td)}].state`, message: `BlockedOnSend on ${hex(ep1)}, but its queue holds this thread 0 times` }]);
    });

    it('threadsInTheirQueues: a waiter its notification forgot, and a blocked state naming a non-endpoint', () => {
      const forgot = setObj(S, n2, { ...ntfn(S, n2), state: { _tag: 'IdleNtfn' } });
      expect(only(forgot, 'threadsInTheirQueues')).toEqual([
        {
          path: `objects[${hex(tf)}].state`,
          message: `BlockedOnNotification on ${hex(n2)} (IdleNtfn), but its queue holds this thread 0 times`,
        },
      ]);
      const wrong = setState(S, tb, { _tag: 'BlockedOnReceive', ep: n2, canGrant: true });
      expect(only(wrong, 'threadsInTheirQueues')).toEqual([
        { path: `objects[${hex(tb)}].state`, message: `BlockedOnReceive names ${hex(n2)}, which is a Notification, not an endpoint` },
      ]);
    });

    it('queuesHoldBlockedThreads: a thread woken but left in the queue, and a receiver in a send queue', () => {
      const woken = setState(S, td, { _tag: 'Restart' });
      expect(only(woken, 'queuesHoldBlockedThreads')).toEqual([
        { path: `objects[${hex(ep1)}].state.queue[0]`, message: `thread ${hex(td)} is Restart, expected BlockedOnSend ${hex(ep1)}` },
      ]);
      // Senders and receivers mixed: TB (a receiver on EP2) also listed as a sender on EP1.
      const mixed = setEpQueue(S, ep1, 'SendEP', [td, tb]);
      expect(only(mixed, 'queuesHoldBlockedThreads')).toEqual([
        {
          path: `objects[${hex(ep1)}].state.queue[1]`,
          message: `thread ${hex(tb)} is BlockedOnReceive ${hex(ep2)}, expected BlockedOnSend ${hex(ep1)}`,
        },
      ]);
    });

    it('queuesHoldBlockedThreads: a notification queue holding a non-thread', () => {
      const bad = setObj(S, n2, { ...ntfn(S, n2), state: { _tag: 'WaitingNtfn', queue: [tf, ep1] } });
      expect(only(bad, 'queuesHoldBlockedThreads')).toEqual([
        { path: `objects[${hex(n2)}].state.queue[1]`, message: `${hex(ep1)} is queued on this notification, but it is not a TCB` },
      ]);
    });

    it('queuesWellFormed: an empty queue kept, a thread queued twice, a thread in two queues', () => {
      const empty = setEpQueue(S, ep2, 'RecvEP', []);
      expect(only(empty, 'queuesWellFormed')).toEqual([{ path: `objects[${hex(ep2)}].state`, message: 'RecvEP with an empty queue (it should be idle)' }]);
      const twice = setEpQueue(S, ep1, 'SendEP', [td, td]);
      expect(only(twice, 'queuesWellFormed')).toEqual([{ path: `objects[${hex(ep1)}].state.queue[1]`, message: `thread ${hex(td)} is queued here twice` }]);
      const both = setObj(S, n2, { ...ntfn(S, n2), state: { _tag: 'WaitingNtfn', queue: [tf, tb] } });
      expect(only(both, 'queuesWellFormed')).toEqual([{ path: `objects[${hex(n2)}].state.queue[1]`, message: `thread ${hex(tb)} also waits in objects[${hex(ep2)}].state` }]);
    });
  });

  describe('reply caps', () => {
    it('replyCapsToCallers: a reply cap kept after its caller was restarted', () => {
      const bad = setState(S, ta, running);
      expect(only(bad, 'replyCapsToCallers')).toEqual([{ path: `caps[${hex(callerSlot)}]`, message: `a reply cap to ${hex(ta)}, which is Running, not BlockedOnReply` }]);
    });

    it('replyCapsToCallers: a second reply cap to the same caller', () => {
      const extra = rootSlotPtr(FREE + 20);
      const bad = { ...S, caps: mapSet(S.caps, extra, getCap(S, callerSlot)) };
      const vs = only(bad, 'replyCapsToCallers');
      expect(vs).toHaveLength(1);
      expect(vs[0]?.message).toMatch(new RegExp(`a second reply cap to ${hex(ta)} \\(another is at 0x[0-9a-f]+\\)`));
      expect([`caps[${hex(extra)}]`, `caps[${hex(callerSlot)}]`]).toContain(vs[0]?.path);
    });

    it('replyMastersInReplySlots: a running thread without its reply master, and a master moved out', () => {
      const masterSlot = slotOf(td, TCB_REPLY);
      const gone = { ...S, caps: mapDelete(S.caps, masterSlot) };
      expect(only(gone, 'replyMastersInReplySlots')).toEqual([
        {
          path: `caps[${hex(masterSlot)}]`,
          message: `the reply slot of ${hex(td)} is empty, but the thread is BlockedOnSend ${hex(ep1)}, not halted`,
        },
      ]);
      // An Inactive thread may have no reply master (it gets one on restart).
      expect(only(setState(gone, td, { _tag: 'Inactive' }), 'replyMastersInReplySlots')).toEqual([]);
      const elsewhere = rootSlotPtr(FREE + 20);
      const moved = { ...gone, caps: mapSet(gone.caps, elsewhere, getCap(S, masterSlot)) };
      expect(only(moved, 'replyMastersInReplySlots')).toContainEqual({
        path: `caps[${hex(elsewhere)}]`,
        message: `a master reply cap to ${hex(td)} outside that thread's reply slot ${hex(masterSlot)}`,
      });
    });

    it("replyMastersInReplySlots: another thread's master in a reply slot", () => {
      const slot = slotOf(te, TCB_REPLY);
      const bad = { ...S, caps: mapSet(S.caps, slot, getCap(S, slotOf(td, TCB_REPLY))) };
      expect(only(bad, 'replyMastersInReplySlots')).toContainEqual({
        path: `caps[${hex(slot)}]`,
        message: `the reply slot of ${hex(te)} holds a master reply cap to ${hex(td)}, not its own master reply cap`,
      });
    });

    it('callerSlotsHoldReplyCaps: a receiver that kept its old reply cap, and a non-reply cap in a caller slot', () => {
      const bad = setState(S, ROOT, { _tag: 'BlockedOnReceive', ep: ep1, canGrant: true });
      expect(only(bad, 'callerSlotsHoldReplyCaps')).toEqual([
        {
          path: `caps[${hex(callerSlot)}]`,
          message: `the caller slot of ${hex(ROOT)} holds a reply cap while the thread is BlockedOnReceive`,
        },
      ]);
      const tbCaller = slotOf(tb, TCB_CALLER);
      const notReply = { ...S, caps: mapSet(S.caps, tbCaller, rootSlot(S, EP1)) };
      expect(only(notReply, 'callerSlotsHoldReplyCaps')).toEqual([{ path: `caps[${hex(tbCaller)}]`, message: `the caller slot of ${hex(tb)} holds a EndpointCap` }]);
    });

    it('replyCapsInCdt: a reply cap cut from its master, and a master that is not original', () => {
      const master = slotOf(ta, TCB_REPLY);
      const orphan = { ...S, cdt: { ...S.cdt, parent: mapDelete(S.cdt.parent, callerSlot), children: mapDelete(S.cdt.children, master) } };
      expect(only(orphan, 'replyCapsInCdt')).toEqual([
        {
          path: `caps[${hex(callerSlot)}]`,
          message: `a reply cap to ${hex(ta)} whose CDT parent (none) is not that thread's master reply cap`,
        },
      ]);
      const notOriginal = { ...S, cdt: { ...S.cdt, original: setDelete(S.cdt.original, master) } };
      expect(only(notOriginal, 'replyCapsInCdt')).toEqual([{ path: `caps[${hex(master)}]`, message: 'a master reply cap that is not original' }]);
    });
  });

  describe('TCB slots', () => {
    it('the spawned threads hold a page directory with an ASID and a frame at an aligned buffer address', () => {
      expect(getCap(S, slotOf(tb, TCB_VTABLE))).toMatchObject({ _tag: 'PageDirectoryCap' });
      expect(getCap(S, slotOf(tb, TCB_BUFFER))).toMatchObject({ _tag: 'FrameCap', isDevice: false });
      expect(only(S, 'tcbSlotsHoldRightCaps')).toEqual([]);
    });

    it('tcbSlotsHoldRightCaps: an endpoint as VSpace root, an unmapped page directory, a misaligned buffer', () => {
      const vslot = slotOf(tb, TCB_VTABLE);
      const epRoot = { ...S, caps: mapSet(S.caps, vslot, rootSlot(S, EP1)) };
      expect(only(epRoot, 'tcbSlotsHoldRightCaps')).toEqual([{ path: `caps[${hex(vslot)}]`, message: `the VSpace slot of ${hex(tb)} holds a EndpointCap` }]);
      const pd = getCap(S, vslot);
      if (pd._tag !== 'PageDirectoryCap') throw new Error('no page directory cap');
      const unmapped = { ...S, caps: mapSet(S.caps, vslot, { ...pd, mappedASID: null }) };
      expect(only(unmapped, 'tcbSlotsHoldRightCaps')).toEqual([
        { path: `caps[${hex(vslot)}]`, message: `the VSpace slot of ${hex(tb)} holds a page directory cap without an ASID` },
      ]);
      const misaligned = updTcb(S, tb, (t) => ({ ...t, ipcBuffer: t.ipcBuffer + 4 }));
      expect(only(misaligned, 'tcbSlotsHoldRightCaps')).toEqual([
        {
          path: `objects[${hex(tb)}].ipcBuffer`,
          message: `IPC buffer address ${hex(getTCB(S, tb).ipcBuffer + 4)} is not aligned to 512 bytes`,
        },
      ]);
    });

    it('tcbSlotsHoldRightCaps: a device frame as IPC buffer', () => {
      const bslot = slotOf(tb, TCB_BUFFER);
      const frame = getCap(S, bslot);
      if (frame._tag !== 'FrameCap') throw new Error('no frame cap');
      const device = { ...S, caps: mapSet(S.caps, bslot, { ...frame, isDevice: true }) };
      expect(only(device, 'tcbSlotsHoldRightCaps')).toEqual([{ path: `caps[${hex(bslot)}]`, message: `the IPC buffer slot of ${hex(tb)} holds a device frame cap` }]);
    });
  });

  describe('the scheduler', () => {
    it('readyQueuesValid: a thread left in its ready queue after it blocks', () => {
      const bad = { ...S, readyQueues: mapSet(S.readyQueues, prio255, [tb]) };
      expect(only(bad, 'readyQueuesValid')).toEqual([{ path: `readyQueues[${prio255}][0]`, message: `thread ${hex(tb)} is ready-queued but BlockedOnReceive ${hex(ep2)}` }]);
    });

    it('readyQueuesValid: a priority change that did not move the thread, and a duplicate', () => {
      const moved = updTcb(S, te, (t) => ({ ...t, priority: 100 }));
      expect(only(moved, 'readyQueuesValid')).toEqual([
        {
          path: `readyQueues[${prio200}][0]`,
          message: `thread ${hex(te)} of domain 0, priority 100 sits in the queue of domain 0, priority 200`,
        },
      ]);
      const dup = { ...S, readyQueues: mapSet(S.readyQueues, prio200, [te, te]) };
      expect(only(dup, 'readyQueuesValid')).toEqual([{ path: `readyQueues[${prio200}][1]`, message: `thread ${hex(te)} is queued twice in domain 0, priority 200` }]);
      const emptyKept = { ...S, readyQueues: mapSet(S.readyQueues, prio255, []) };
      expect(only(emptyKept, 'readyQueuesValid')).toEqual([{ path: `readyQueues[${prio255}]`, message: 'an empty ready queue (domain 0, priority 255) is kept' }]);
    });

    it('runnableThreadsQueued: a woken thread never queued, and the current thread left queued', () => {
      const lost = { ...S, readyQueues: mapDelete(S.readyQueues, prio200) };
      expect(only(lost, 'runnableThreadsQueued')).toEqual([
        {
          path: `objects[${hex(te)}].state`,
          message: `thread ${hex(te)} is Restart but in no ready queue, not current and not the switch target`,
        },
      ]);
      // A pending switch target need not be queued.
      expect(only({ ...lost, schedulerAction: { _tag: 'SwitchToThread', tcb: te } }, 'runnableThreadsQueued')).toEqual([]);
      const curQueued = { ...S, readyQueues: mapSet(S.readyQueues, prio255, [ROOT]) };
      expect(only(curQueued, 'runnableThreadsQueued')).toEqual([
        { path: 'curThread', message: `the current thread ${hex(ROOT)} is in a ready queue while the scheduler resumes it` },
      ]);
    });

    it('currentThreadValid: a blocked thread resumed as current, one from another domain, a bad switch target', () => {
      const blocked = { ...S, curThread: tb };
      expect(only(blocked, 'currentThreadValid')).toEqual([
        { path: `objects[${hex(tb)}].state`, message: `the current thread is BlockedOnReceive ${hex(ep2)}, but the scheduler resumes it` },
      ]);
      const otherDomain = updTcb(S, ROOT, (t) => ({ ...t, domain: 3 }));
      expect(only(otherDomain, 'currentThreadValid')).toEqual([{ path: 'curThread', message: `the current thread ${hex(ROOT)} is in domain 3, not the current domain 0` }]);
      const switchBlocked = { ...S, schedulerAction: { _tag: 'SwitchToThread', tcb: tf } as const };
      expect(only(switchBlocked, 'currentThreadValid')).toEqual([{ path: 'schedulerAction', message: `the switch target ${hex(tf)} is BlockedOnNotification ${hex(n2)}` }]);
      expect(only({ ...S, curThread: ep1 }, 'currentThreadValid')).toEqual([{ path: 'curThread', message: `${hex(ep1)} is not a TCB` }]);
    });

    it('idleThreadValid: a second idle thread, and an idle thread that is bound or made runnable', () => {
      const second = setState(S, te, { _tag: 'IdleThreadState' });
      expect(only(second, 'idleThreadValid')).toEqual([{ path: `objects[${hex(te)}].state`, message: 'IdleThreadState in a thread that is not the idle thread' }]);
      const idle = S.idleThread;
      const bound = updTcb(S, idle, (t) => ({ ...t, boundNotification: n2 }));
      expect(only(bound, 'idleThreadValid')).toEqual([{ path: `objects[${hex(idle)}].boundNotification`, message: `the idle thread is bound to ${hex(n2)}` }]);
      const woke = setState(S, idle, running);
      expect(only(woke, 'idleThreadValid')).toEqual([{ path: `objects[${hex(idle)}].state`, message: 'the idle thread is Running' }]);
    });

    it('schedulingParamsInRange: a priority above 255 and a domain past the last', () => {
      const bad = updTcb(
        updTcb(S, te, (t) => ({ ...t, priority: 256 })),
        tb,
        (t) => ({ ...t, domain: 16 }),
      );
      expect(only(bad, 'schedulingParamsInRange')).toEqual(
        expect.arrayContaining([
          { path: `objects[${hex(te)}].priority`, message: 'priority 256 is outside 0..255' },
          { path: `objects[${hex(tb)}].domain`, message: 'domain 16 is outside 0..15' },
        ]),
      );
      expect(only(bad, 'schedulingParamsInRange')).toHaveLength(2);
    });
  });

  describe('bound notifications', () => {
    it('boundNotificationsSymmetric: an unbind that cleared only the notification side', () => {
      const bad = setObj(S, n1, { ...ntfn(S, n1), boundTCB: null });
      expect(only(bad, 'boundNotificationsSymmetric')).toEqual([
        { path: `objects[${hex(tc)}].boundNotification`, message: `bound to ${hex(n1)}, but that notification's boundTCB is null` },
      ]);
    });

    it('boundNotificationsSymmetric: a bind that set only the notification side', () => {
      const bad = setObj(S, n2, { ...ntfn(S, n2), boundTCB: tb });
      expect(only(bad, 'boundNotificationsSymmetric')).toEqual([
        { path: `objects[${hex(n2)}].boundTCB`, message: `bound to ${hex(tb)}, but that thread's boundNotification is null` },
      ]);
    });

    it('boundNotificationWaiters: another thread waiting on a bound notification', () => {
      let bad = setObj(S, n1, { ...ntfn(S, n1), state: { _tag: 'WaitingNtfn', queue: [tc, tf] } });
      bad = setObj(bad, n2, { ...ntfn(S, n2), state: { _tag: 'IdleNtfn' } });
      bad = setState(bad, tf, { _tag: 'BlockedOnNotification', ntfn: n1 });
      // The queues and states agree; only the binding rule is broken.
      expect(only(bad, 'threadsInTheirQueues')).toEqual([]);
      expect(only(bad, 'queuesHoldBlockedThreads')).toEqual([]);
      expect(only(bad, 'boundNotificationWaiters')).toEqual([
        { path: `objects[${hex(n1)}].state.queue`, message: `bound to ${hex(tc)} but waited on by [${hex(tc)}, ${hex(tf)}]` },
      ]);
    });
  });
});
