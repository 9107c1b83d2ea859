/**
 * Notification scenarios: Signal, Wait (Recv on a notification) and Poll
 * (NBRecv), FIFO waiters, bound notifications waking a thread blocked on an
 * endpoint, and deletion, run through both kernels in lock step.
 *
 * Helper threads at 254 run only while the root task (255) is blocked;
 * helpers at 255 queue behind it and run when it yields or blocks.
 *
 * seL4: Haskell Object/Notification.lhs (sendSignal, receiveSignal,
 * completeSignal), Object/Endpoint.lhs (receiveIPC), API/Syscall.lhs
 * (handleRecv); C src/object/notification.c, src/api/syscall.c.
 */
import { describe, expect, it } from 'vitest';
import { type Event, InitSlot, type MessageInfo, messageInfoFromWord } from '../../../spec/api';
import { getCap, getEndpoint, getNotification, getTCB, slotOf } from '../../../spec/model/heap';
import { type KernelState, readyQueueIndex } from '../../../spec/model/state';
import { type Cap, type PPtr, TCB_CALLER, TCB_REPLY } from '../../../spec/model/structures';
import { FREE, ObjType } from '../../helpers/boot';
import { AllRights, CNode, TCB, call, msg, nbRecv, nbSend, poll, recv, reply, send, signal, wait, yieldNow } from '../../../refinement/scenario';
import { ROOT, replyOf, rootSlot, run } from '../../helpers/scenario';
import { retypeInto, spawnInOrder, spawnThread, tcbAt, tcbOf } from '../../helpers/threads';

// ---------------------------------------------------------------- the cast

const N = FREE; // the notification (original cap, all rights)
const N2 = FREE + 1; // a second notification
const EP = FREE + 2; // an endpoint
const S1 = FREE + 3; // badged copies of N
const S2 = FREE + 4;
const S4 = FREE + 5;
const X = FREE + 7; // a scratch slot
const TA = FREE + 10; // thread caps
const TB = FREE + 11;
const TC = FREE + 12;

const SEND = 1;
const RECV = 2;

/** Two notifications and an endpoint, with badges 1, 2 and 4 minted from N. */
const objects: Event[] = [
  retypeInto(ObjType.Notification, N, 2),
  retypeInto(ObjType.Endpoint, EP),
  CNode.mint(S1, N, AllRights, 0b001),
  CNode.mint(S2, N, AllRights, 0b010),
  CNode.mint(S4, N, AllRights, 0b100),
];

// ---------------------------------------------------------------- reading the state

const ptrOf = (c: Cap): PPtr => {
  if (c._tag !== 'EndpointCap' && c._tag !== 'NotificationCap') throw new Error(`${c._tag} names no object`);
  return c.ptr;
};
const ntfnPtr = (s: KernelState, slot = N): PPtr => ptrOf(rootSlot(s, slot));
const ntfnOf = (s: KernelState, slot = N) => getNotification(s, ntfnPtr(s, slot));
const epState = (s: KernelState) => getEndpoint(s, ptrOf(rootSlot(s, EP))).state;
const stateOf = (s: KernelState, slot: number) => tcbOf(s, slot).state;
const badgeOf = (s: KernelState, t: PPtr): number => getTCB(s, t).context[0] ?? 0;
const infoOf = (s: KernelState, t: PPtr): MessageInfo => messageInfoFromWord(getTCB(s, t).context[1] ?? 0);
const readyAt = (s: KernelState, prio: number): readonly PPtr[] => s.readyQueues.get(readyQueueIndex(0, prio)) ?? [];

// ---------------------------------------------------------------- tests

describe('spec/object/notification', () => {
  describe('Signal', () => {
    it('signalling an idle notification makes it active with the badge; the signaller runs on', () => {
      const { state } = run([...objects, signal(S1)]);
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 0b001 });
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
    });

    it('further signals OR their badges into the active word', () => {
      const { state } = run([...objects, signal(S1), signal(S4), signal(S1)]);
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 0b101 });
    });

    it('an unbadged signal still activates the notification, with word 0', () => {
      const { state } = run([...objects, signal(N)]);
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 0 });
      // A Wait then returns at once with 0 rather than blocking.
      const waited = run([...objects, signal(N), wait(N)]).state;
      expect(getTCB(waited, ROOT).state._tag).toBe('Running');
      expect(badgeOf(waited, ROOT)).toBe(0);
      expect(ntfnOf(waited).state._tag).toBe('IdleNtfn');
    });

    it('NBSend signals too', () => {
      const { state } = run([...objects, nbSend(S2)]);
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 0b010 });
    });

    it('Call signals and gets an empty kernel reply with badge 0', () => {
      const { state } = run([...objects, call(S2, msg(9, [1, 2]))]);
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 0b010 });
      expect(replyOf(state)).toEqual({ badge: 0, label: 0, length: 0, words: [] });
    });

    it('without the Send right a Send is dropped and a Call gets InvalidCapability 0', () => {
      const dropped = run([...objects, CNode.mint(X, N, RECV, 1), signal(X)]).state;
      expect(ntfnOf(dropped).state._tag).toBe('IdleNtfn');
      const refused = run([...objects, CNode.mint(X, N, RECV, 1), call(X)]).state;
      expect(replyOf(refused)).toMatchObject({ label: 2, words: [0] });
      expect(ntfnOf(refused).state._tag).toBe('IdleNtfn');
    });

    it('the badge is that of the signalling cap, masked to 28 bits at mint', () => {
      const { state } = run([...objects, CNode.mint(X, N, AllRights, 0xffff_ffff), signal(X)]);
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 0x0fff_ffff });
    });
  });

  describe('Wait and Poll', () => {
    it('Wait on an active notification returns the word at once and leaves the message info alone', () => {
      const { state } = run([...objects, signal(S1), signal(S2), recv(N, msg(0x77, [3]))]);
      expect(badgeOf(state, ROOT)).toBe(0b011);
      expect(infoOf(state, ROOT)).toMatchObject({ label: 0x77, length: 1 });
      expect(ntfnOf(state).state._tag).toBe('IdleNtfn');
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
    });

    it("Wait through a badged cap returns the accumulated word, not the cap's badge", () => {
      const { state } = run([...objects, signal(S4), wait(S1)]);
      expect(badgeOf(state, ROOT)).toBe(0b100);
    });

    it('Wait on an idle notification blocks; a signal wakes the waiter with its badge', () => {
      const blocked = run([...objects, ...spawnThread(TA, { prio: 254 }), wait(N)]).state;
      expect(getTCB(blocked, ROOT).state).toEqual({ _tag: 'BlockedOnNotification', ntfn: ntfnPtr(blocked) });
      expect(ntfnOf(blocked).state).toEqual({ _tag: 'WaitingNtfn', queue: [ROOT] });
      expect(blocked.curThread).toBe(tcbAt(blocked, TA));

      const { state } = run([...objects, ...spawnThread(TA, { prio: 254 }), recv(N, msg(0x31)), signal(S4)]);
      expect(state.curThread).toBe(ROOT);
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
      expect(badgeOf(state, ROOT)).toBe(0b100);
      expect(infoOf(state, ROOT).label).toBe(0x31);
      // The signal went to the waiter: nothing is left over.
      expect(ntfnOf(state).state._tag).toBe('IdleNtfn');
      expect(readyAt(state, 254)).toContain(tcbAt(state, TA));
    });

    it('Poll on an idle notification gets badge 0 and leaves the message info alone', () => {
      const { state } = run([...objects, nbRecv(N, msg(0x44, [5, 6]))]);
      expect(replyOf(state)).toEqual({ badge: 0, label: 0x44, length: 2, words: [5, 6] });
      expect(ntfnOf(state).state._tag).toBe('IdleNtfn');
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
    });

    it('Poll on an active notification collects the word', () => {
      const { state } = run([...objects, signal(S2), signal(S4), poll(N)]);
      expect(badgeOf(state, ROOT)).toBe(0b110);
      expect(ntfnOf(state).state._tag).toBe('IdleNtfn');
    });

    it('Poll with waiters queued gets 0 and does not join the queue', () => {
      const { state } = run([...objects, ...spawnThread(TA), yieldNow(), wait(N), poll(N)]);
      expect(badgeOf(state, ROOT)).toBe(0);
      expect(ntfnOf(state).state).toEqual({ _tag: 'WaitingNtfn', queue: [tcbAt(state, TA)] });
    });

    it('several waiters are woken first in, first out, one per signal', () => {
      const prefix = [...objects, ...spawnInOrder([[TA], [TB], [TC]]), yieldNow(), wait(N), wait(N), wait(N)];
      const queued = run(prefix).state;
      expect(ntfnOf(queued).state).toEqual({ _tag: 'WaitingNtfn', queue: [TA, TB, TC].map((t) => tcbAt(queued, t)) });
      const two = run([...prefix, signal(S1), signal(S2)]).state;
      expect(badgeOf(two, tcbAt(two, TA))).toBe(0b001);
      expect(badgeOf(two, tcbAt(two, TB))).toBe(0b010);
      expect(stateOf(two, TC)._tag).toBe('BlockedOnNotification');
      expect(ntfnOf(two).state).toEqual({ _tag: 'WaitingNtfn', queue: [tcbAt(two, TC)] });
      const all = run([...prefix, signal(S1), signal(S2), signal(S4)]).state;
      expect(badgeOf(all, tcbAt(all, TC))).toBe(0b100);
      expect(ntfnOf(all).state._tag).toBe('IdleNtfn');
    });

    it('without the Receive right a Wait is a cap fault (no handler: the thread stops)', () => {
      const { state } = run([...objects, CNode.mint(X, N, SEND, 0), signal(S1), wait(X)]);
      expect(getTCB(state, ROOT).state._tag).toBe('Inactive');
      // The pending word was not consumed.
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 1 });
    });

    it('Wait and Poll on a notification keep an unused reply cap in the caller slot', () => {
      const { state } = run([...objects, ...spawnThread(TA, { prio: 254 }), recv(EP), call(EP, msg(1)), signal(S1), poll(N), wait(N)]);
      // The Wait above found the notification idle again and blocked: A (254) runs.
      expect(getCap(state, slotOf(ROOT, TCB_CALLER))).toMatchObject({ _tag: 'ReplyCap', tcb: tcbAt(state, TA) });
      const replied = run([...objects, ...spawnThread(TA, { prio: 254 }), recv(EP), call(EP, msg(1)), signal(S1), poll(N), reply(msg(8))]).state;
      expect(stateOf(replied, TA)._tag).toBe('Running');
      expect(infoOf(replied, tcbAt(replied, TA)).label).toBe(8);
    });
  });

  describe('bound notifications', () => {
    it('a signal wakes the bound thread blocked in Recv on an endpoint, with the notification badge', () => {
      const prefix = [...objects, ...spawnThread(TA), TCB.bindNotification(TA, N), yieldNow(), recv(EP, msg(0x55, [1]))];
      const blocked = run(prefix).state;
      const a = tcbAt(blocked, TA);
      expect(getTCB(blocked, a).boundNotification).toBe(ntfnPtr(blocked));
      expect(ntfnOf(blocked).boundTCB).toBe(a);
      expect(epState(blocked)).toEqual({ _tag: 'RecvEP', queue: [a] });

      const { state } = run([...prefix, signal(S2)]);
      expect(stateOf(state, TA)._tag).toBe('Running');
      expect(badgeOf(state, a)).toBe(0b010);
      // The message info is not rewritten; the endpoint queue lost A; the notification stays idle.
      expect(infoOf(state, a)).toMatchObject({ label: 0x55, length: 1 });
      expect(epState(state)._tag).toBe('IdleEP');
      expect(ntfnOf(state).state._tag).toBe('IdleNtfn');
      expect(readyAt(state, 255)).toContain(a);
    });

    it('the woken bound thread leaves the endpoint queue; other receivers stay in order', () => {
      const { state } = run([...objects, ...spawnInOrder([[TA], [TB], [TC]]), TCB.bindNotification(TB, N), yieldNow(), recv(EP), recv(EP), recv(EP), signal(S1)]);
      expect(stateOf(state, TB)._tag).toBe('Running');
      expect(epState(state)).toEqual({ _tag: 'RecvEP', queue: [tcbAt(state, TA), tcbAt(state, TC)] });
    });

    it('Recv on an endpoint with the bound notification active returns the word at once; queued senders stay queued', () => {
      const { state } = run([
        ...objects,
        ...spawnInOrder([[TB], [TA]]),
        TCB.bindNotification(TA, N),
        signal(S4),
        yieldNow(),
        send(EP, msg(3)), // B blocks sending
        recv(EP, msg(0x66)), // A finds the notification active
      ]);
      const a = tcbAt(state, TA);
      expect(state.curThread).toBe(a);
      expect(stateOf(state, TA)._tag).toBe('Running');
      expect(badgeOf(state, a)).toBe(0b100);
      expect(infoOf(state, a).label).toBe(0x66);
      expect(ntfnOf(state).state._tag).toBe('IdleNtfn');
      expect(epState(state)).toEqual({ _tag: 'SendEP', queue: [tcbAt(state, TB)] });
      expect(stateOf(state, TB)._tag).toBe('BlockedOnSend');
    });

    it('NBRecv on an endpoint collects an active bound notification as well', () => {
      const { state } = run([...objects, TCB.bindNotification(InitSlot.ThreadTCB, N), signal(S1), nbRecv(EP)]);
      expect(badgeOf(state, ROOT)).toBe(1);
      expect(ntfnOf(state).state._tag).toBe('IdleNtfn');
    });

    it('Recv on an endpoint destroys an unused reply cap even when the bound notification answers', () => {
      const { state } = run([...objects, TCB.bindNotification(InitSlot.ThreadTCB, N), ...spawnThread(TA, { prio: 254 }), recv(EP), call(EP, msg(1)), signal(S1), recv(EP)]);
      const a = tcbAt(state, TA);
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
      expect(badgeOf(state, ROOT)).toBe(1);
      expect(getCap(state, slotOf(ROOT, TCB_CALLER))._tag).toBe('NullCap');
      expect(state.cdt.children.get(slotOf(a, TCB_REPLY)) ?? []).toEqual([]);
      expect(stateOf(state, TA)._tag).toBe('BlockedOnReply');
    });

    it('a signal to a bound thread waiting for a reply is kept as active', () => {
      const { state } = run([...objects, ...spawnThread(TA, { prio: 254 }), TCB.bindNotification(TA, N), recv(EP), call(EP, msg(1)), signal(S2)]);
      expect(stateOf(state, TA)._tag).toBe('BlockedOnReply');
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 0b010 });
    });

    it('a signal to a bound thread blocked sending is kept as active', () => {
      const { state } = run([...objects, ...spawnThread(TA), TCB.bindNotification(TA, N), yieldNow(), send(EP, msg(1)), signal(S2)]);
      expect(stateOf(state, TA)._tag).toBe('BlockedOnSend');
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 0b010 });
    });

    it('a signal to a bound thread that is running is kept as active', () => {
      const { state } = run([...objects, TCB.bindNotification(InitSlot.ThreadTCB, N), signal(S2), signal(S1)]);
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 0b011 });
      expect(getTCB(state, ROOT).boundNotification).toBe(ntfnPtr(state));
    });

    it('the bound thread may Wait on its own notification', () => {
      const { state } = run([...objects, ...spawnThread(TA), TCB.bindNotification(TA, N), yieldNow(), wait(N), signal(S4)]);
      expect(stateOf(state, TA)._tag).toBe('Running');
      expect(badgeOf(state, tcbAt(state, TA))).toBe(0b100);
      expect(ntfnOf(state).state._tag).toBe('IdleNtfn');
    });

    it('Wait on a notification bound to another thread is a cap fault, reported to the fault handler', () => {
      const { state } = run([
        ...objects,
        ...spawnThread(TB, { prio: 254, faultEP: EP }),
        ...spawnThread(TA, { suspended: true }),
        TCB.bindNotification(TA, N),
        signal(S1),
        recv(EP),
        wait(N),
      ]);
      expect(replyOf(state)).toMatchObject({ label: 1 });
      expect(replyOf(state).words.slice(1, 4)).toEqual([N, 1, 2]);
      expect(stateOf(state, TB)._tag).toBe('BlockedOnReply');
      // The word meant for A is still there.
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 1 });
    });

    it('Poll on a notification bound to another thread is a cap fault too', () => {
      const { state } = run([...objects, ...spawnThread(TA), TCB.bindNotification(TA, N), signal(S1), poll(N)]);
      expect(getTCB(state, ROOT).state._tag).toBe('Inactive');
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 1 });
    });

    it('a bound thread waiting on another notification is not woken by its bound one', () => {
      const { state } = run([...objects, ...spawnThread(TA), TCB.bindNotification(TA, N2), yieldNow(), wait(N), signal(N2)]);
      expect(stateOf(state, TA)).toEqual({ _tag: 'BlockedOnNotification', ntfn: ntfnPtr(state, N) });
      expect(ntfnOf(state, N2).state).toEqual({ _tag: 'ActiveNtfn', badge: 0 });
      const woken = run([...objects, ...spawnThread(TA), TCB.bindNotification(TA, N2), yieldNow(), wait(N), signal(S2)]).state;
      expect(stateOf(woken, TA)._tag).toBe('Running');
      expect(badgeOf(woken, tcbAt(woken, TA))).toBe(0b010);
    });

    it('after Unbind a signal no longer wakes the thread from its endpoint Recv', () => {
      const { state } = run([...objects, ...spawnThread(TA), TCB.bindNotification(TA, N), TCB.unbindNotification(TA), yieldNow(), recv(EP), signal(S1)]);
      expect(stateOf(state, TA)._tag).toBe('BlockedOnReceive');
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 1 });
      expect(ntfnOf(state).boundTCB).toBeNull();
    });
  });

  describe('cancellation and deletion', () => {
    const waiters: Event[] = [...objects, ...spawnInOrder([[TA], [TB], [TC]]), yieldNow(), wait(N), wait(N), wait(N)];

    it('a suspended waiter leaves the queue; the others keep their order', () => {
      const { state } = run([...waiters, TCB.suspend(TB)]);
      expect(stateOf(state, TB)._tag).toBe('Inactive');
      expect(ntfnOf(state).state).toEqual({ _tag: 'WaitingNtfn', queue: [tcbAt(state, TA), tcbAt(state, TC)] });
    });

    it('suspending the only waiter makes the notification idle', () => {
      const { state } = run([...objects, ...spawnThread(TA), yieldNow(), wait(N), TCB.suspend(TA)]);
      expect(ntfnOf(state).state._tag).toBe('IdleNtfn');
      expect(stateOf(state, TA)._tag).toBe('Inactive');
    });

    it('deleting the last cap restarts every waiter', () => {
      const { state } = run([...waiters, CNode.delete(S1), CNode.delete(S2), CNode.delete(S4), CNode.delete(N)]);
      for (const t of [TA, TB, TC]) expect(stateOf(state, t)._tag).toBe('Restart');
      expect(readyAt(state, 255)).toEqual(expect.arrayContaining([TA, TB, TC].map((t) => tcbAt(state, t))));
    });

    it('deleting a cap that is not the last one leaves the waiters alone', () => {
      const { state } = run([...waiters, CNode.delete(N)]);
      for (const t of [TA, TB, TC]) expect(stateOf(state, t)._tag).toBe('BlockedOnNotification');
      expect((ntfnOf(state, S1).state as { queue: readonly PPtr[] }).queue).toHaveLength(3);
    });

    it('deleting the last cap unbinds the bound thread', () => {
      const { state } = run([...objects, ...spawnThread(TA), TCB.bindNotification(TA, N), CNode.delete(S1), CNode.delete(S2), CNode.delete(S4), CNode.delete(N)]);
      expect(tcbOf(state, TA).boundNotification).toBeNull();
    });

    it('deleting the last cap leaves a bound thread blocked on an endpoint blocked, but unbound', () => {
      const { state } = run([
        ...objects,
        ...spawnThread(TA),
        TCB.bindNotification(TA, N),
        yieldNow(),
        recv(EP),
        CNode.delete(S1),
        CNode.delete(S2),
        CNode.delete(S4),
        CNode.delete(N),
      ]);
      expect(stateOf(state, TA)._tag).toBe('BlockedOnReceive');
      expect(tcbOf(state, TA).boundNotification).toBeNull();
    });

    it('deleting a bound thread unbinds the notification', () => {
      const { state } = run([...objects, ...spawnThread(TA), TCB.bindNotification(TA, N), CNode.copy(X, TA, AllRights), CNode.delete(TA), CNode.delete(X)]);
      expect(getNotification(state, ntfnPtr(state)).boundTCB).toBeNull();
      // The notification can be bound again.
      const rebound = run([...objects, ...spawnThread(TA), TCB.bindNotification(TA, N), CNode.delete(TA), ...spawnThread(TB), TCB.bindNotification(TB, N)]).state;
      expect(getNotification(rebound, ntfnPtr(rebound)).boundTCB).toBe(tcbAt(rebound, TB));
    });

    it('deleting a waiting thread takes it out of the queue', () => {
      const { state } = run([...waiters, CNode.delete(TB)]);
      expect(ntfnOf(state).state).toEqual({ _tag: 'WaitingNtfn', queue: [tcbAt(state, TA), tcbAt(state, TC)] });
    });

    it('a second notification is independent', () => {
      const { state } = run([...objects, signal(S1), signal(N2)]);
      expect(ntfnOf(state).state).toEqual({ _tag: 'ActiveNtfn', badge: 1 });
      expect(ntfnOf(state, N2).state).toEqual({ _tag: 'ActiveNtfn', badge: 0 });
    });
  });
});
