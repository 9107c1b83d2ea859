/**
 * Endpoint IPC scenarios: Send, NBSend, Call, Recv, NBRecv, Reply and
 * ReplyRecv between real threads, run through both kernels in lock step.
 *
 * Events act for the current thread, so each scenario arranges who runs:
 * helper threads at priority 254 run only while the root task (255) is
 * blocked and lose the CPU as soon as it is woken; helpers at 255 queue
 * behind the root task and run when it yields or blocks.
 *
 * seL4: Haskell Object/Endpoint.lhs, Kernel/Thread.lhs (doIPCTransfer,
 * transferCaps, doReplyTransfer), Object/TCB.lhs (setupCallerCap); C
 * src/object/endpoint.c, src/kernel/thread.c, src/api/syscall.c.
 */
import { describe, expect, it } from 'vitest';
import {
  type Event,
  IPCBUF_CAPS_OR_BADGES,
  InitSlot,
  type MessageInfo,
  CPSR,
  FAULT_IP,
  LR,
  NEXT_IP,
  ROOT_IPC_BUFFER_PTR,
  SP,
  messageInfo,
  messageInfoFromWord,
  sanitiseCPSR,
} from '../../../spec/api';
import {
  AllRights,
  CNode,
  type Message,
  TCB,
  Untyped,
  call,
  msg,
  nbRecv,
  nbSend,
  receivePath,
  recv,
  reply,
  replyRecv,
  send,
  syscall,
  yieldNow,
} from '../../../refinement/scenario';
import { getCap, getEndpoint, getTCB, loadWord, slotOf } from '../../../spec/model/heap';
import { type KernelState, readyQueueIndex } from '../../../spec/model/state';
import { type Cap, type PPtr, TCB_CALLER, TCB_REPLY, type ThreadState } from '../../../spec/model/structures';
import { CNODE, FREE, ObjType, untypedSlot } from '../../helpers/boot';
import { ROOT, replyOf, rootSlot, rootSlotPtr, run } from '../../helpers/scenario';
import { bufferPaddr, bufferVaddr, retypeInto, spawnInOrder, spawnThread, tcbAt, tcbOf } from '../../helpers/threads';

// ---------------------------------------------------------------- the cast

const EP = FREE; // the endpoint everything talks through (original cap, all rights)
const EP2 = FREE + 1; // a second endpoint
const NTFN = FREE + 2; // a notification, a handy cap to transfer
const B1 = FREE + 3; // badged / rights-reduced copies of EP made per test
const B2 = FREE + 4;
const B3 = FREE + 5;
const X = FREE + 7; // a scratch slot
const TA = FREE + 10; // thread caps
const TB = FREE + 11;
const TC = FREE + 12;
const TD = FREE + 13;
const RS = FREE + 20; // the receive slot named by receivers
const CN = FREE + 21; // a small CNode

const SEND = 1;
const RECV = 2;
const GRANT = 4;
const GRANT_REPLY = 8;

/** The receive slot RS of the root CNode, as a receiver names it in its IPC buffer. */
const intoRS = receivePath(CNODE, RS, 32);

/** Two endpoints and a notification, made by the root task. */
const objects: Event[] = [retypeInto(ObjType.Endpoint, EP, 2), retypeInto(ObjType.Notification, NTFN)];

// ---------------------------------------------------------------- reading the state

const capPtr = (c: Cap): PPtr => {
  if (c._tag !== 'EndpointCap' && c._tag !== 'NotificationCap') throw new Error(`${c._tag} names no endpoint`);
  return c.ptr;
};
const epPtr = (s: KernelState, slot = EP): PPtr => capPtr(rootSlot(s, slot));
const epState = (s: KernelState, slot = EP) => getEndpoint(s, epPtr(s, slot)).state;
const stateOf = (s: KernelState, slot: number): ThreadState => tcbOf(s, slot).state;
const infoOf = (s: KernelState, t: PPtr): MessageInfo => messageInfoFromWord(getTCB(s, t).context[1] ?? 0);
/** What thread `slot` (with IPC buffer window `w`, 0 = none) holds in its badge, info and MRs. */
const msgOf = (s: KernelState, slot: number, w: number) => replyOf(s, tcbAt(s, slot), w === 0 ? undefined : bufferPaddr(w));
const rootBufWord = (s: KernelState, i: number): number => loadWord(s, ROOT_IPC_BUFFER_PTR + 4 * i);
const callerCap = (s: KernelState, t: PPtr): Cap => getCap(s, slotOf(t, TCB_CALLER));
const replyChildren = (s: KernelState, t: PPtr) => s.cdt.children.get(slotOf(t, TCB_REPLY)) ?? [];
const readyAt = (s: KernelState, prio: number): readonly PPtr[] => s.readyQueues.get(readyQueueIndex(0, prio)) ?? [];

// ---------------------------------------------------------------- tests

describe('spec/object/endpoint', () => {
  describe('Send and Recv rendezvous', () => {
    it('receiver first: the blocked receiver gets badge, label and all message words, and preempts the sender', () => {
      const blocked = run([...objects, CNode.mint(B1, EP, AllRights, 0x55), ...spawnThread(TA, { prio: 254 }), recv(EP)]);
      expect(getTCB(blocked.state, ROOT).state).toEqual({ _tag: 'BlockedOnReceive', ep: epPtr(blocked.state), canGrant: true });
      expect(epState(blocked.state)).toEqual({ _tag: 'RecvEP', queue: [ROOT] });
      expect(blocked.state.curThread).toBe(tcbAt(blocked.state, TA));

      const { state } = run([...objects, CNode.mint(B1, EP, AllRights, 0x55), ...spawnThread(TA, { prio: 254 }), recv(EP), send(B1, msg(7, [1, 2, 3, 4, 5, 6]))]);
      expect(state.curThread).toBe(ROOT);
      expect(replyOf(state)).toEqual({ badge: 0x55, label: 7, length: 6, words: [1, 2, 3, 4, 5, 6] });
      expect(infoOf(state, ROOT)).toMatchObject({ extraCaps: 0, capsUnwrapped: 0 });
      expect(epState(state)._tag).toBe('IdleEP');
      expect(stateOf(state, TA)._tag).toBe('Running');
      expect(readyAt(state, 254)).toEqual([tcbAt(state, TA)]);
    });

    it('sender first: the sender blocks with its badge and rights, and the receiver takes the message at once', () => {
      const prefix = [...objects, CNode.mint(B1, EP, SEND | GRANT, 0x66), ...spawnThread(TA), yieldNow(), send(B1, msg(9, [10, 20, 30, 40, 50]))];
      const blocked = run(prefix);
      const a = tcbAt(blocked.state, TA);
      expect(blocked.state.curThread).toBe(ROOT);
      expect(stateOf(blocked.state, TA)).toEqual({
        _tag: 'BlockedOnSend',
        ep: epPtr(blocked.state),
        badge: 0x66,
        canGrant: true,
        canGrantReply: false,
        isCall: false,
      });
      expect(epState(blocked.state)).toEqual({ _tag: 'SendEP', queue: [a] });

      const { state } = run([...prefix, recv(EP)]);
      expect(replyOf(state)).toEqual({ badge: 0x66, label: 9, length: 5, words: [10, 20, 30, 40, 50] });
      expect(state.curThread).toBe(ROOT);
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
      expect(stateOf(state, TA)._tag).toBe('Running');
      expect(readyAt(state, 255)).toContain(a);
      expect(epState(state)._tag).toBe('IdleEP');
    });

    it('a receiver blocked through a cap without Grant records canGrant false', () => {
      const { state } = run([...objects, CNode.mint(B1, EP, SEND | RECV, 0), ...spawnThread(TA, { prio: 254 }), recv(B1)]);
      expect(getTCB(state, ROOT).state).toEqual({ _tag: 'BlockedOnReceive', ep: epPtr(state), canGrant: false });
    });

    it("an unbadged cap delivers badge 0 (the receiver's r0 held its cptr)", () => {
      const { state } = run([...objects, ...spawnThread(TA, { prio: 254 }), recv(EP), send(EP, msg(1, [2]))]);
      expect(replyOf(state)).toEqual({ badge: 0, label: 1, length: 1, words: [2] });
    });

    it('delivers the full 20-bit label and an empty message', () => {
      const { state } = run([...objects, ...spawnThread(TA, { prio: 254 }), recv(EP, msg(0, [7, 7])), send(EP, msg(0xfffff))]);
      expect(replyOf(state)).toMatchObject({ label: 0xfffff, length: 0 });
    });

    it('a receiver without an IPC buffer gets only the four register MRs; the length says so', () => {
      const { state } = run([...objects, ...spawnThread(TA, { buffer: 0 }), yieldNow(), recv(EP), send(EP, msg(3, [1, 2, 3, 4, 5, 6, 7]))]);
      expect(msgOf(state, TA, 0)).toEqual({ badge: 0, label: 3, length: 4, words: [1, 2, 3, 4] });
      expect(stateOf(state, TA)._tag).toBe('Running');
    });

    it('a receiver with an IPC buffer gets MR4.. in its buffer', () => {
      const { state } = run([...objects, ...spawnThread(TA, { buffer: 2 }), yieldNow(), recv(EP), send(EP, msg(3, [1, 2, 3, 4, 5, 6, 7]))]);
      expect(msgOf(state, TA, 2)).toEqual({ badge: 0, label: 3, length: 7, words: [1, 2, 3, 4, 5, 6, 7] });
    });

    it("a sender without an IPC buffer sends only the register MRs; the receiver's buffer is untouched", () => {
      const prefix = [...objects, ...spawnThread(TA, { prio: 254, buffer: 0 }), recv(EP, msg(0, [0, 0, 0, 0, 0xaa, 0xbb]))];
      const before = run(prefix).state;
      const { state } = run([...prefix, send(EP, msg(2, [1, 2, 3, 4, 5, 6]))]);
      expect(replyOf(state)).toEqual({ badge: 0, label: 2, length: 4, words: [1, 2, 3, 4] });
      expect(rootBufWord(state, 5)).toBe(0xaa);
      expect(rootBufWord(state, 6)).toBe(0xbb);
      expect(rootBufWord(before, 5)).toBe(0xaa);
    });

    it('clamps a message length above 120 to 120 and copies MR119', () => {
      const mrs = Array.from({ length: 120 }, (_, i) => 1000 + i);
      const { state } = run([...objects, ...spawnThread(TA, { prio: 254 }), recv(EP), send(EP, { info: messageInfo(4, 0, 0, 127), mrs, caps: [] })]);
      const r = replyOf(state);
      expect(r.length).toBe(120);
      expect(r.words[119]).toBe(1119);
      expect(r.words[4]).toBe(1004);
    });

    it('a queued sender keeps the badge it sent with, even when that cap is deleted before the receive', () => {
      const { state } = run([...objects, CNode.mint(B1, EP, AllRights, 0x99), ...spawnThread(TA), yieldNow(), send(B1, msg(1)), CNode.delete(B1), recv(EP)]);
      expect(rootSlot(state, B1)._tag).toBe('NullCap');
      expect(replyOf(state)).toMatchObject({ badge: 0x99, label: 1 });
    });

    it("the receiver's capsUnwrapped and extraCaps are the kernel's, not what the sender put in its info word", () => {
      const { state } = run([...objects, ...spawnThread(TA, { prio: 254 }), recv(EP), send(EP, { info: messageInfo(3, 7, 0, 1), mrs: [5] })]);
      expect(infoOf(state, ROOT)).toEqual({ label: 3, capsUnwrapped: 0, extraCaps: 0, length: 1 });
    });

    it('a receiver whose IPC buffer frame is read-only has no buffer: only register MRs arrive', () => {
      const { state } = run([
        ...objects,
        ...spawnThread(TA),
        CNode.copy(X, InitSlot.ThreadIPCBuffer, RECV),
        TCB.setIPCBuffer(TA, bufferVaddr(1), X),
        yieldNow(),
        recv(EP),
        send(EP, msg(2, [1, 2, 3, 4, 5, 6])),
      ]);
      expect(msgOf(state, TA, 1)).toMatchObject({ label: 2, length: 4 });
      expect(loadWord(state, bufferPaddr(1) + 4 * 5)).toBe(0);
    });

    it('a sender whose IPC buffer frame is read-only still sends MR4.. from it', () => {
      const { state } = run([
        ...objects,
        ...spawnThread(TA),
        yieldNow(),
        // A writes 0xa5, 0xa6 into its MR4, MR5 while its buffer is writable (the NBSend is dropped).
        nbSend(EP, msg(0, [0, 0, 0, 0, 0xa5, 0xa6])),
        yieldNow(),
        CNode.copy(X, InitSlot.ThreadIPCBuffer, RECV),
        TCB.setIPCBuffer(TA, bufferVaddr(1), X),
        recv(EP),
        send(EP, { info: messageInfo(2, 0, 0, 6), mrs: [1, 2, 3, 4], caps: [] }),
      ]);
      expect(replyOf(state)).toEqual({ badge: 0, label: 2, length: 6, words: [1, 2, 3, 4, 0xa5, 0xa6] });
    });

    it('a Send through a cap without Send right is dropped: nothing blocks', () => {
      const { state } = run([...objects, CNode.mint(B1, EP, RECV | GRANT, 0), send(B1, msg(5))]);
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
      expect(epState(state)._tag).toBe('IdleEP');
    });

    it('a Call through a cap without Send right gets InvalidCapability 0', () => {
      const { state } = run([...objects, CNode.mint(B1, EP, RECV | GRANT, 0), call(B1, msg(5))]);
      expect(replyOf(state)).toMatchObject({ label: 2, words: [0] });
      expect(epState(state)._tag).toBe('IdleEP');
    });

    it('a Recv through a cap without Receive right is a cap fault (no handler: the thread stops)', () => {
      const { state } = run([...objects, CNode.mint(B1, EP, SEND | GRANT, 0), recv(B1)]);
      expect(getTCB(state, ROOT).state._tag).toBe('Inactive');
      expect(epState(state)._tag).toBe('IdleEP');
    });

    it('a Recv cap fault reaches the fault handler with inReceivePhase set', () => {
      // A's fault handler is EP; the root task waits on it.
      const { state } = run([...objects, CNode.mint(B1, EP, SEND, 0), ...spawnThread(TA, { prio: 254, faultEP: EP }), recv(EP), recv(B1)]);
      expect(replyOf(state)).toMatchObject({ badge: 0, label: 1 });
      expect(replyOf(state).words.slice(1, 4)).toEqual([B1, 1, 2]);
      expect(stateOf(state, TA)._tag).toBe('BlockedOnReply');
      expect(callerCap(state, ROOT)).toMatchObject({ _tag: 'ReplyCap', tcb: tcbAt(state, TA) });
    });
  });

  describe('NBSend and NBRecv', () => {
    it('NBSend with no receiver drops the message: the endpoint stays idle and the sender runs on', () => {
      const { state } = run([...objects, nbSend(EP, msg(4, [8]))]);
      expect(epState(state)._tag).toBe('IdleEP');
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
      // No kernel reply either: the registers are as the sender left them.
      expect(replyOf(state)).toMatchObject({ label: 4, words: [8] });
    });

    it('a message dropped by NBSend is not there for a later Recv', () => {
      const { state } = run([...objects, ...spawnThread(TA, { prio: 254 }), nbSend(EP, msg(4)), recv(EP)]);
      expect(getTCB(state, ROOT).state._tag).toBe('BlockedOnReceive');
      expect(epState(state)).toEqual({ _tag: 'RecvEP', queue: [ROOT] });
    });

    it('NBSend to an endpoint with queued senders is dropped too; the queue is unchanged', () => {
      const { state } = run([...objects, ...spawnThread(TA), yieldNow(), send(EP, msg(1)), nbSend(EP, msg(2))]);
      expect(epState(state)).toEqual({ _tag: 'SendEP', queue: [tcbAt(state, TA)] });
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
    });

    it('NBSend to a waiting receiver delivers the message', () => {
      const { state } = run([...objects, CNode.mint(B1, EP, AllRights, 3), ...spawnThread(TA), yieldNow(), recv(EP), nbSend(B1, msg(4, [9, 8, 7, 6, 5]))]);
      expect(msgOf(state, TA, 1)).toEqual({ badge: 3, label: 4, length: 5, words: [9, 8, 7, 6, 5] });
      expect(stateOf(state, TA)._tag).toBe('Running');
      expect(epState(state)._tag).toBe('IdleEP');
    });

    it('NBRecv with nothing waiting clears the badge register and leaves the message info alone', () => {
      const { state } = run([...objects, nbRecv(EP, { info: messageInfo(0x123, 0, 0, 2), mrs: [5, 6] })]);
      expect(replyOf(state)).toEqual({ badge: 0, label: 0x123, length: 2, words: [5, 6] });
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
      expect(epState(state)._tag).toBe('IdleEP');
    });

    it('NBRecv on an endpoint with waiting receivers does not join the queue', () => {
      const { state } = run([...objects, ...spawnThread(TA), yieldNow(), recv(EP), nbRecv(EP)]);
      expect(epState(state)).toEqual({ _tag: 'RecvEP', queue: [tcbAt(state, TA)] });
      expect(replyOf(state).badge).toBe(0);
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
    });

    it("NBRecv takes a queued sender's message", () => {
      const { state } = run([...objects, CNode.mint(B1, EP, AllRights, 0x42), ...spawnThread(TA), yieldNow(), send(B1, msg(6, [1, 2, 3, 4, 5])), nbRecv(EP)]);
      expect(replyOf(state)).toEqual({ badge: 0x42, label: 6, length: 5, words: [1, 2, 3, 4, 5] });
      expect(stateOf(state, TA)._tag).toBe('Running');
      expect(epState(state)._tag).toBe('IdleEP');
    });

    it('NBRecv takes a queued Call and gets the reply cap', () => {
      const { state } = run([...objects, ...spawnThread(TA), yieldNow(), call(EP, msg(6)), nbRecv(EP)]);
      expect(replyOf(state).label).toBe(6);
      expect(callerCap(state, ROOT)).toEqual({ _tag: 'ReplyCap', tcb: tcbAt(state, TA), master: false, canGrant: true });
      expect(stateOf(state, TA)._tag).toBe('BlockedOnReply');
    });
  });

  describe('queues', () => {
    it('queued senders are served first in, first out', () => {
      const prefix = [
        ...objects,
        CNode.mint(B1, EP, AllRights, 1),
        CNode.mint(B2, EP, AllRights, 2),
        CNode.mint(B3, EP, AllRights, 3),
        ...spawnInOrder([[TA], [TB], [TC]]),
        yieldNow(),
        send(B1, msg(11)),
        send(B2, msg(22)),
        send(B3, msg(33)),
      ];
      const queued = run(prefix).state;
      expect(queued.curThread).toBe(ROOT);
      expect(epState(queued)).toEqual({ _tag: 'SendEP', queue: [tcbAt(queued, TA), tcbAt(queued, TB), tcbAt(queued, TC)] });
      const got: Array<[number, number]> = [];
      let s = queued;
      for (let i = 1; i <= 3; i++) {
        s = run([...prefix, ...Array.from({ length: i }, () => recv(EP))]).state;
        got.push([replyOf(s).badge, replyOf(s).label]);
      }
      expect(got).toEqual([
        [1, 11],
        [2, 22],
        [3, 33],
      ]);
      expect(epState(s)._tag).toBe('IdleEP');
    });

    it('queued receivers are served first in, first out', () => {
      const { state } = run([
        ...objects,
        ...spawnInOrder([
          [TA, { buffer: 1 }],
          [TB, { buffer: 2 }],
          [TC, { buffer: 3 }],
        ]),
        yieldNow(),
        recv(EP),
        recv(EP),
        recv(EP),
        send(EP, msg(1)),
        send(EP, msg(2)),
      ]);
      expect(msgOf(state, TA, 1).label).toBe(1);
      expect(msgOf(state, TB, 2).label).toBe(2);
      expect(stateOf(state, TC)._tag).toBe('BlockedOnReceive');
      expect(epState(state)).toEqual({ _tag: 'RecvEP', queue: [tcbAt(state, TC)] });
    });

    it('a queued sender that is suspended leaves the queue; the others keep their order', () => {
      const { state } = run([...objects, ...spawnInOrder([[TA], [TB], [TC]]), yieldNow(), send(EP, msg(1)), send(EP, msg(2)), send(EP, msg(3)), TCB.suspend(TB)]);
      expect(epState(state)).toEqual({ _tag: 'SendEP', queue: [tcbAt(state, TA), tcbAt(state, TC)] });
      expect(stateOf(state, TB)._tag).toBe('Inactive');
    });
  });

  describe('cap transfer', () => {
    /** Root waits on EP naming RS; A (254) sends through `cptr` with `caps`. */
    const transfer = (cptr: number, caps: number[], setup: Event[] = [], recvOpts: Message = intoRS) =>
      run([...objects, ...setup, ...spawnThread(TA, { prio: 254 }), recv(EP, recvOpts), send(cptr, msg(1, [42], caps))]).state;

    it("with Grant, a cap moves into the empty receive slot as a child of the sender's cap", () => {
      const state = transfer(EP, [NTFN]);
      expect(rootSlot(state, RS)).toEqual({ ...rootSlot(state, NTFN) });
      expect(state.cdt.parent.get(rootSlotPtr(RS))).toBe(rootSlotPtr(NTFN));
      expect(infoOf(state, ROOT)).toEqual({ label: 1, capsUnwrapped: 0, extraCaps: 1, length: 1 });
      expect(replyOf(state).words).toEqual([42]);
    });

    it("without Grant on the sender's cap no cap is transferred; the message still is", () => {
      const state = transfer(B1, [NTFN], [CNode.mint(B1, EP, SEND | RECV | GRANT_REPLY, 0)]);
      expect(rootSlot(state, RS)._tag).toBe('NullCap');
      expect(infoOf(state, ROOT)).toEqual({ label: 1, capsUnwrapped: 0, extraCaps: 0, length: 1 });
      expect(replyOf(state).words).toEqual([42]);
    });

    it('a badged cap to the endpoint itself is unwrapped: its badge goes to caps_or_badges, no slot is used', () => {
      const state = transfer(EP, [B2], [CNode.mint(B2, EP, AllRights, 0x77)]);
      expect(infoOf(state, ROOT)).toMatchObject({ extraCaps: 1, capsUnwrapped: 1 });
      expect(rootBufWord(state, IPCBUF_CAPS_OR_BADGES)).toBe(0x77);
      expect(rootSlot(state, RS)._tag).toBe('NullCap');
    });

    it('an unbadged cap to the endpoint unwraps to badge 0, overwriting what the buffer held', () => {
      // The receiver's own earlier store leaves 0x1234 in caps_or_badges[0].
      const state = transfer(EP, [EP], [], receivePath(CNODE, RS, 32, msg(0, [], [0x1234])));
      expect(infoOf(state, ROOT)).toMatchObject({ extraCaps: 1, capsUnwrapped: 1 });
      expect(rootBufWord(state, IPCBUF_CAPS_OR_BADGES)).toBe(0);
    });

    it('unwraps around a transferred cap: bits mark which caps were unwrapped', () => {
      const state = transfer(EP, [NTFN, B2, B3], [CNode.mint(B2, EP, AllRights, 0x77), CNode.mint(B3, EP, AllRights, 0x88)]);
      expect(infoOf(state, ROOT)).toMatchObject({ extraCaps: 3, capsUnwrapped: 0b110 });
      expect(rootBufWord(state, IPCBUF_CAPS_OR_BADGES + 1)).toBe(0x77);
      expect(rootBufWord(state, IPCBUF_CAPS_OR_BADGES + 2)).toBe(0x88);
      expect(rootSlot(state, RS)._tag).toBe('NotificationCap');
    });

    it('only one cap is transferred: the second cap that needs a slot ends the transfer', () => {
      const state = transfer(EP, [B2, NTFN, EP2], [CNode.mint(B2, EP, AllRights, 0x77)]);
      expect(infoOf(state, ROOT)).toMatchObject({ extraCaps: 2, capsUnwrapped: 1 });
      expect(rootSlot(state, RS)._tag).toBe('NotificationCap');
      expect(rootBufWord(state, IPCBUF_CAPS_OR_BADGES)).toBe(0x77);
    });

    it('a cap to another endpoint is transferred, not unwrapped, and keeps its badge', () => {
      const state = transfer(EP, [B2], [CNode.mint(B2, EP2, AllRights, 0x33)]);
      expect(rootSlot(state, RS)).toMatchObject({ _tag: 'EndpointCap', ptr: epPtr(state, EP2), badge: 0x33 });
      expect(infoOf(state, ROOT)).toMatchObject({ extraCaps: 1, capsUnwrapped: 0 });
    });

    it('a mapped frame cap arrives as an unmapped copy', () => {
      const state = transfer(EP, [InitSlot.ThreadIPCBuffer]);
      expect(rootSlot(state, InitSlot.ThreadIPCBuffer)).toMatchObject({ _tag: 'FrameCap', mapped: { asid: 1 } });
      expect(rootSlot(state, RS)).toMatchObject({ _tag: 'FrameCap', mapped: null });
    });

    const underivable: Array<[string, Event[], number]> = [
      ['IRQ control (derives to nothing)', [], InitSlot.IRQControl],
      ['an untyped with children (RevokeFirst)', [], untypedSlot(21)],
      ['a reply cap (derives to nothing)', [], X],
    ];
    it.each(underivable)('a cap that cannot be derived, %s, ends the transfer', (_n, setup, cptr) => {
      // X holds a saved reply cap: A (255) calls first, the root task saves the cap.
      const state = run([
        ...objects,
        ...setup,
        ...spawnThread(TB),
        yieldNow(),
        call(EP, msg(9)),
        recv(EP),
        CNode.saveCaller(X),
        ...spawnThread(TA, { prio: 254 }),
        recv(EP, intoRS),
        send(EP, msg(1, [], [cptr, NTFN])),
      ]).state;
      expect(infoOf(state, ROOT)).toMatchObject({ label: 1, extraCaps: 0 });
      expect(rootSlot(state, RS)._tag).toBe('NullCap');
    });

    it('a cap that cannot be derived (IRQ control) ends the transfer, even before an unwrappable cap', () => {
      const state = transfer(EP, [InitSlot.IRQControl, EP], []);
      expect(infoOf(state, ROOT)).toMatchObject({ extraCaps: 0, capsUnwrapped: 0 });
      expect(rootSlot(state, RS)._tag).toBe('NullCap');
    });

    it('an occupied receive slot means no slot: nothing is transferred, but unwrapping still works', () => {
      const occupied = receivePath(CNODE, TA, 32);
      const a = transfer(EP, [NTFN], [], occupied);
      expect(infoOf(a, ROOT)).toMatchObject({ extraCaps: 0 });
      expect(rootSlot(a, TA)._tag).toBe('ThreadCap');
      const b = transfer(EP, [B2, NTFN], [CNode.mint(B2, EP, AllRights, 5)], occupied);
      expect(infoOf(b, ROOT)).toMatchObject({ extraCaps: 1, capsUnwrapped: 1 });
      expect(rootBufWord(b, IPCBUF_CAPS_OR_BADGES)).toBe(5);
    });

    const badSlots: Array<[string, Message]> = [
      ['the receive CNode cptr names an empty slot', receivePath(X, RS, 32)],
      ['the receive CNode cptr names a thread cap', receivePath(InitSlot.ThreadTCB, RS, 32)],
      ['the receive CNode cptr fails its guard', receivePath(0x100000 + CNODE, RS, 32)],
      ['the receive depth does not match the CNode', receivePath(CNODE, RS, 12)],
      ['the receive depth is 0', receivePath(CNODE, RS, 0)],
    ];
    it.each(badSlots)('no cap is transferred when %s', (_n, into) => {
      const state = transfer(EP, [NTFN], [], into);
      expect(infoOf(state, ROOT)).toMatchObject({ extraCaps: 0, length: 1 });
      expect(rootSlot(state, RS)._tag).toBe('NullCap');
      expect([...state.caps.values()].filter((c) => c._tag === 'NotificationCap')).toHaveLength(1);
    });

    it('the receive slot may lie in another CNode, addressed by index and depth', () => {
      const state = transfer(EP, [NTFN], [retypeInto(ObjType.CapTable, CN, 1, 4)], receivePath(CN, 3, 4));
      const inner = rootSlot(state, CN);
      if (inner._tag !== 'CNodeCap') throw new Error('no CNode');
      expect(getCap(state, slotOf(inner.ptr, 3))).toMatchObject({ _tag: 'NotificationCap', ptr: capPtr(rootSlot(state, NTFN)) });
      expect(infoOf(state, ROOT)).toMatchObject({ extraCaps: 1 });
    });

    it('a receiver without an IPC buffer gets no caps', () => {
      const { state } = run([...objects, ...spawnThread(TA, { buffer: 0 }), yieldNow(), recv(EP), send(EP, msg(1, [], [NTFN]))]);
      expect(infoOf(state, tcbAt(state, TA))).toMatchObject({ extraCaps: 0, capsUnwrapped: 0, label: 1 });
      expect([...state.caps.values()].filter((c) => c._tag === 'NotificationCap')).toHaveLength(1);
    });

    it('a sender without an IPC buffer sends no caps', () => {
      const { state } = run([...objects, ...spawnThread(TA, { prio: 254, buffer: 0 }), recv(EP, intoRS), send(EP, msg(1, [], [NTFN]))]);
      expect(infoOf(state, ROOT)).toMatchObject({ extraCaps: 0, label: 1 });
      expect(rootSlot(state, RS)._tag).toBe('NullCap');
    });

    it("a blocked sender's extra caps are looked up again when the receiver arrives", () => {
      const prefix = [...objects, CNode.copy(X, NTFN, AllRights), ...spawnThread(TA), yieldNow(), send(EP, msg(1, [], [X]))];
      // The cap in X is replaced while A waits: the receiver gets the new one.
      const replaced = run([...prefix, CNode.delete(X), CNode.copy(X, EP2, AllRights), recv(EP, intoRS)]).state;
      expect(rootSlot(replaced, RS)).toMatchObject({ _tag: 'EndpointCap', ptr: epPtr(replaced, EP2) });
      expect(infoOf(replaced, ROOT)).toMatchObject({ extraCaps: 1 });
      // X emptied while A waits: an empty slot derives to nothing and ends the transfer.
      const emptied = run([...prefix, CNode.delete(X), recv(EP, intoRS)]).state;
      expect(rootSlot(emptied, RS)._tag).toBe('NullCap');
      expect(infoOf(emptied, ROOT)).toMatchObject({ extraCaps: 0 });
    });
  });

  describe('Call, reply caps and Reply', () => {
    const callerFirstPrefix = (rights = AllRights): Event[] => [...objects, CNode.mint(B1, EP, rights, 0x21), ...spawnThread(TA, { prio: 254 }), recv(EP)];

    it('Call to a waiting receiver: the caller waits for the reply, the receiver holds a one-shot reply cap', () => {
      const { state } = run([...callerFirstPrefix(), call(B1, msg(3, [9]))]);
      const a = tcbAt(state, TA);
      expect(state.curThread).toBe(ROOT);
      expect(replyOf(state)).toEqual({ badge: 0x21, label: 3, length: 1, words: [9] });
      expect(stateOf(state, TA)._tag).toBe('BlockedOnReply');
      expect(readyAt(state, 254)).not.toContain(a);
      expect(callerCap(state, ROOT)).toEqual({ _tag: 'ReplyCap', tcb: a, master: false, canGrant: true });
      expect(state.cdt.parent.get(slotOf(ROOT, TCB_CALLER))).toBe(slotOf(a, TCB_REPLY));
    });

    it('Call to an idle endpoint queues the caller; the receiver then takes it with the reply cap', () => {
      const prefix = [...objects, ...spawnThread(TA), yieldNow(), call(EP, msg(3))];
      const queued = run(prefix).state;
      expect(stateOf(queued, TA)).toMatchObject({ _tag: 'BlockedOnSend', isCall: true, canGrant: true, canGrantReply: true });
      const { state } = run([...prefix, recv(EP)]);
      expect(stateOf(state, TA)._tag).toBe('BlockedOnReply');
      expect(callerCap(state, ROOT)).toMatchObject({ _tag: 'ReplyCap', tcb: tcbAt(state, TA), master: false });
      expect(replyOf(state).label).toBe(3);
    });

    it("the reply cap's Grant is the receiver's endpoint cap Grant, not the caller's", () => {
      const { state } = run([...objects, CNode.mint(B2, EP, SEND | RECV, 0), ...spawnThread(TA, { prio: 254 }), recv(B2), call(EP, msg(3))]);
      expect(callerCap(state, ROOT)).toMatchObject({ _tag: 'ReplyCap', canGrant: false });
    });

    it('Call with GrantReply but no Grant still makes a reply cap', () => {
      const { state } = run([...callerFirstPrefix(SEND | GRANT_REPLY), call(B1, msg(3))]);
      expect(stateOf(state, TA)._tag).toBe('BlockedOnReply');
      expect(callerCap(state, ROOT)._tag).toBe('ReplyCap');
    });

    it('Call with neither Grant nor GrantReply delivers the message but makes no reply cap: the caller becomes Inactive', () => {
      const { state } = run([...callerFirstPrefix(SEND), call(B1, msg(3, [4]))]);
      expect(replyOf(state)).toMatchObject({ badge: 0x21, label: 3, words: [4] });
      expect(stateOf(state, TA)._tag).toBe('Inactive');
      expect(callerCap(state, ROOT)._tag).toBe('NullCap');
      expect(replyChildren(state, tcbAt(state, TA))).toEqual([]);
    });

    it('a queued Call with neither right also leaves the caller Inactive when received', () => {
      const { state } = run([...objects, CNode.mint(B1, EP, SEND, 0), ...spawnThread(TA), yieldNow(), call(B1, msg(3)), recv(EP)]);
      expect(stateOf(state, TA)._tag).toBe('Inactive');
      expect(callerCap(state, ROOT)._tag).toBe('NullCap');
      expect(replyOf(state).label).toBe(3);
    });

    it('Reply delivers label and words with badge 0, consumes the reply cap and wakes the caller', () => {
      const { state } = run([...callerFirstPrefix(), call(B1, msg(3)), reply(msg(5, [1, 2, 3, 4, 5]))]);
      const a = tcbAt(state, TA);
      expect(msgOf(state, TA, 1)).toEqual({ badge: 0, label: 5, length: 5, words: [1, 2, 3, 4, 5] });
      expect(stateOf(state, TA)._tag).toBe('Running');
      expect(callerCap(state, ROOT)._tag).toBe('NullCap');
      expect(replyChildren(state, a)).toEqual([]);
      expect(state.curThread).toBe(ROOT);
      expect(readyAt(state, 254)).toContain(a);
    });

    it('Reply transfers caps only when the reply cap has Grant, and never unwraps', () => {
      const callRS = receivePath(CNODE, RS, 32, msg(3));
      const granted = run([...callerFirstPrefix(), call(B1, callRS), reply(msg(5, [], [EP]))]).state;
      expect(rootSlot(granted, RS)).toMatchObject({ _tag: 'EndpointCap', ptr: epPtr(granted) });
      expect(infoOf(granted, tcbAt(granted, TA))).toMatchObject({ extraCaps: 1, capsUnwrapped: 0, label: 5 });

      const refused = run([...objects, CNode.mint(B2, EP, SEND | RECV, 0), ...spawnThread(TA, { prio: 254 }), recv(B2), call(EP, callRS), reply(msg(5, [], [EP]))]).state;
      expect(rootSlot(refused, RS)._tag).toBe('NullCap');
      expect(infoOf(refused, tcbAt(refused, TA))).toMatchObject({ extraCaps: 0, label: 5 });
    });

    it('Reply with an empty caller slot does nothing', () => {
      const prefix = [...objects, ...spawnThread(TA), yieldNow(), send(EP, msg(1))];
      const before = run(prefix).state;
      const { state } = run([...prefix, reply(msg(5, [6, 7]))]);
      expect(replyOf(state)).toEqual({ badge: getTCB(before, ROOT).context[0], label: 5, length: 2, words: [6, 7] });
      expect(stateOf(state, TA)).toEqual(stateOf(before, TA));
      expect(epState(state)).toEqual(epState(before));
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
    });

    it('a second Recv destroys an unused reply cap: the caller is left waiting', () => {
      const { state } = run([...callerFirstPrefix(), call(B1, msg(3)), nbRecv(EP)]);
      const a = tcbAt(state, TA);
      expect(callerCap(state, ROOT)._tag).toBe('NullCap');
      expect(replyChildren(state, a)).toEqual([]);
      expect(stateOf(state, TA)._tag).toBe('BlockedOnReply');
      // A later Reply finds nothing to answer.
      const after = run([...callerFirstPrefix(), call(B1, msg(3)), nbRecv(EP), reply(msg(5))]).state;
      expect(stateOf(after, TA)._tag).toBe('BlockedOnReply');
    });

    it('ReplyRecv answers the caller and then waits on the endpoint', () => {
      const { state } = run([...callerFirstPrefix(), call(B1, msg(3)), replyRecv(EP, msg(5, [8]))]);
      expect(msgOf(state, TA, 1)).toMatchObject({ label: 5, words: [8] });
      expect(stateOf(state, TA)._tag).toBe('Running');
      expect(getTCB(state, ROOT).state).toMatchObject({ _tag: 'BlockedOnReceive', ep: epPtr(state) });
      expect(callerCap(state, ROOT)._tag).toBe('NullCap');
      expect(state.curThread).toBe(tcbAt(state, TA));
    });

    it('ReplyRecv with a sender queued takes the next message at once', () => {
      const { state } = run([
        ...objects,
        CNode.mint(B2, EP, AllRights, 2),
        ...spawnInOrder([[TA], [TB]]),
        yieldNow(),
        call(EP, msg(1)),
        send(B2, msg(2)),
        recv(EP),
        replyRecv(EP, msg(5)),
      ]);
      expect(msgOf(state, TA, 1).label).toBe(5);
      expect(stateOf(state, TA)._tag).toBe('Running');
      expect(replyOf(state)).toMatchObject({ badge: 2, label: 2 });
      expect(stateOf(state, TB)._tag).toBe('Running');
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
      expect(callerCap(state, ROOT)._tag).toBe('NullCap');
      expect(epState(state)._tag).toBe('IdleEP');
      // A became the switch candidate first; waking B as well sends both to the head of the ready queue.
      expect(readyAt(state, 255)).toEqual([tcbAt(state, TB), tcbAt(state, TA)]);
    });

    it('ReplyRecv completes the reply even when its Recv part faults', () => {
      const { state } = run([...callerFirstPrefix(), call(B1, msg(3)), replyRecv(X, msg(5, [6]))]);
      expect(msgOf(state, TA, 1)).toMatchObject({ label: 5, words: [6] });
      expect(stateOf(state, TA)._tag).toBe('Running');
      expect(getTCB(state, ROOT).state._tag).toBe('Inactive');
      expect(state.curThread).toBe(tcbAt(state, TA));
    });

    it('a reply longer than four words reaches a caller without an IPC buffer truncated', () => {
      const { state } = run([...objects, ...spawnThread(TA, { prio: 254, buffer: 0 }), recv(EP), call(EP, msg(3)), reply(msg(5, [1, 2, 3, 4, 5, 6]))]);
      expect(msgOf(state, TA, 0)).toEqual({ badge: 0, label: 5, length: 4, words: [1, 2, 3, 4] });
    });

    it('suspending a caller that waits for its reply destroys the reply cap; Resume restarts its Call', () => {
      const suspended = run([...callerFirstPrefix(), call(B1, msg(3)), TCB.suspend(TA)]).state;
      expect(stateOf(suspended, TA)._tag).toBe('Inactive');
      expect(callerCap(suspended, ROOT)._tag).toBe('NullCap');
      const resumed = run([...callerFirstPrefix(), call(B1, msg(3)), TCB.suspend(TA), TCB.resume(TA)]).state;
      expect(stateOf(resumed, TA)._tag).toBe('Restart');
      // A saved reply cap goes the same way.
      const saved = run([...callerFirstPrefix(), call(B1, msg(3)), CNode.saveCaller(X), TCB.suspend(TA)]).state;
      expect(rootSlot(saved, X)._tag).toBe('NullCap');
    });

    it('deleting a caller that waits for its reply destroys the reply cap', () => {
      const { state } = run([...callerFirstPrefix(), call(B1, msg(3)), CNode.delete(TA)]);
      expect(callerCap(state, ROOT)._tag).toBe('NullCap');
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
    });

    it('deleting the server destroys the reply cap in its caller slot; the caller keeps waiting', () => {
      const { state } = run([
        ...objects,
        ...spawnThread(TA), // the server
        ...spawnThread(TB, { prio: 254 }), // the client
        yieldNow(),
        recv(EP), // A waits; the root task runs again
        recv(EP2), // the root task waits; B runs
        call(EP, msg(1)), // A wakes with B's reply cap and preempts B
        send(EP2, msg(2)), // A wakes the root task
        yieldNow(),
        CNode.delete(TA),
      ]);
      const b = tcbAt(state, TB);
      expect(replyOf(state).label).toBe(0);
      expect(rootSlot(state, TA)._tag).toBe('NullCap');
      expect(stateOf(state, TB)._tag).toBe('BlockedOnReply');
      expect(replyChildren(state, b)).toEqual([]);
    });

    it('a served caller can Call again: the server gets a fresh reply cap', () => {
      const { state } = run([...callerFirstPrefix(), call(B1, msg(3)), replyRecv(EP, msg(5)), call(B1, msg(4))]);
      expect(replyOf(state).label).toBe(4);
      expect(callerCap(state, ROOT)).toMatchObject({ _tag: 'ReplyCap', tcb: tcbAt(state, TA) });
      expect(stateOf(state, TA)._tag).toBe('BlockedOnReply');
    });

    describe('replies to fault messages', () => {
      /** A (254, fault handler EP) faults while the root task waits on EP. */
      const faulted = (fault: Event): Event[] => [...objects, ...spawnThread(TA, { prio: 254, faultEP: EP }), recv(EP), fault];

      it('a cap fault reply restarts the thread whatever the label, and clears its fault', () => {
        const prefix = faulted(recv(X));
        const before = run(prefix).state;
        expect(tcbOf(before, TA).fault).toMatchObject({ _tag: 'CapFault', address: X, inReceivePhase: true });
        const { state } = run([...prefix, reply(msg(7, [1, 2]))]);
        expect(stateOf(state, TA)._tag).toBe('Restart');
        expect(tcbOf(state, TA).fault).toBeNull();
        expect(callerCap(state, ROOT)._tag).toBe('NullCap');
        expect(readyAt(state, 254)).toContain(tcbAt(state, TA));
      });

      it('an unknown-syscall reply with label 0 sets the registers (CPSR sanitised) and restarts', () => {
        const prefix = faulted(syscall({ sysno: -20 }));
        const faultMsg = replyOf(run(prefix).state);
        expect(faultMsg).toMatchObject({ label: 2, length: 13 });
        expect(faultMsg.words[12]).toBe(-20 >>> 0);
        const regs = [10, 11, 12, 13, 14, 15, 16, 17, 0x2000, 0x3000, 0x4000, 0xffff_ffff];
        const { state } = run([...prefix, reply(msg(0, regs))]);
        const ctx = tcbOf(state, TA).context;
        expect([0, 1, 2, 3, 4, 5, 6, 7].map((r) => ctx[r])).toEqual(regs.slice(0, 8));
        expect([ctx[FAULT_IP], ctx[SP], ctx[LR]]).toEqual([0x2000, 0x3000, 0x4000]);
        expect(ctx[CPSR]).toBe(sanitiseCPSR(0xffff_ffff));
        expect(stateOf(state, TA)._tag).toBe('Restart');
      });

      it('an unknown-syscall reply with a non-zero label still sets the registers but stops the thread', () => {
        const { state } = run([...faulted(syscall({ sysno: -20 })), reply(msg(1, [77, 78]))]);
        const ctx = tcbOf(state, TA).context;
        expect([ctx[0], ctx[1]]).toEqual([77, 78]);
        expect(stateOf(state, TA)._tag).toBe('Inactive');
        expect(tcbOf(state, TA).fault).toBeNull();
      });

      it('a user-exception reply sets FaultIP, SP and CPSR from the first three words', () => {
        const prefix = faulted({ kind: 'exception' });
        expect(replyOf(run(prefix).state)).toMatchObject({ label: 3, length: 5 });
        const { state } = run([...prefix, reply(msg(0, [0x5000, 0x6000, 0x2000_0000, 99]))]);
        const ctx = tcbOf(state, TA).context;
        expect([ctx[FAULT_IP], ctx[SP], ctx[CPSR]]).toEqual([0x5000, 0x6000, sanitiseCPSR(0x2000_0000)]);
        expect(stateOf(state, TA)._tag).toBe('Restart');
      });
    });

    describe('SaveCaller', () => {
      const saved = (): Event[] => [...callerFirstPrefix(), call(B1, msg(3)), CNode.saveCaller(X)];

      it('moves the reply cap out of the caller slot, keeping its place in the derivation tree', () => {
        const { state } = run(saved());
        const a = tcbAt(state, TA);
        expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
        expect(rootSlot(state, X)).toEqual({ _tag: 'ReplyCap', tcb: a, master: false, canGrant: true });
        expect(callerCap(state, ROOT)._tag).toBe('NullCap');
        expect(state.cdt.parent.get(rootSlotPtr(X))).toBe(slotOf(a, TCB_REPLY));
      });

      it('a saved reply cap survives the next Recv and answers the caller when invoked with Send', () => {
        const { state } = run([...saved(), nbRecv(EP), send(X, msg(9, [4]))]);
        expect(msgOf(state, TA, 1)).toEqual({ badge: 0, label: 9, length: 1, words: [4] });
        expect(stateOf(state, TA)._tag).toBe('Running');
        expect(rootSlot(state, X)._tag).toBe('NullCap');
        expect(getTCB(state, ROOT).state._tag).toBe('Running');
      });

      it('invoking a saved reply cap with Call answers the caller and gives the invoker an empty reply; a second use fails', () => {
        const once = run([...saved(), call(X, msg(9, [4, 4]))]).state;
        expect(msgOf(once, TA, 1)).toMatchObject({ label: 9, words: [4, 4] });
        expect(replyOf(once)).toEqual({ badge: 0, label: 0, length: 0, words: [] });
        const twice = run([...saved(), call(X, msg(9)), call(X, msg(9))]).state;
        expect(replyOf(twice)).toMatchObject({ label: 2, words: [0] });
      });

      it('a reply cap can be moved but not copied', () => {
        const copied = run([...saved(), CNode.copy(RS, X, AllRights)]).state;
        expect(replyOf(copied)).toMatchObject({ label: 3 });
        expect(rootSlot(copied, RS)._tag).toBe('NullCap');
        const moved = run([...saved(), CNode.move(RS, X), send(RS, msg(4))]).state;
        expect(msgOf(moved, TA, 1).label).toBe(4);
        expect(stateOf(moved, TA)._tag).toBe('Running');
      });

      it('deleting a saved reply cap leaves the caller waiting for good', () => {
        const { state } = run([...saved(), CNode.delete(X), reply(msg(1))]);
        expect(stateOf(state, TA)._tag).toBe('BlockedOnReply');
        expect(replyChildren(state, tcbAt(state, TA))).toEqual([]);
      });
    });
  });

  describe('CancelBadgedSends', () => {
    // A, B, C, D queue on EP with badges 1, 2, 1 and none.
    const queued: Event[] = [
      ...objects,
      CNode.mint(B1, EP, AllRights, 1),
      CNode.mint(B2, EP, AllRights, 2),
      CNode.mint(B3, EP, AllRights, 1),
      ...spawnInOrder([[TA], [TB], [TC], [TD]]),
      yieldNow(),
      send(B1, msg(1)),
      send(B2, msg(2)),
      call(B3, msg(3)),
      send(EP, msg(4)),
    ];

    it('restarts exactly the senders with that badge; the rest keep their order', () => {
      const { state } = run([...queued, CNode.cancelBadgedSends(B1)]);
      const [a, b, c, d] = [TA, TB, TC, TD].map((t) => tcbAt(state, t));
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(stateOf(state, TA)._tag).toBe('Restart');
      expect(stateOf(state, TC)._tag).toBe('Restart');
      expect(epState(state)).toEqual({ _tag: 'SendEP', queue: [b, d] });
      expect(readyAt(state, 255)).toEqual(expect.arrayContaining([a, c]));
      expect(stateOf(state, TB)._tag).toBe('BlockedOnSend');
    });

    it('restarted senders run their Send again and queue up behind the others', () => {
      // Restarted threads go to the head of the ready queue (last restarted first): C, then A.
      const restarted = run([...queued, CNode.cancelBadgedSends(B1), yieldNow()]).state;
      const c = tcbAt(restarted, TC);
      expect(restarted.curThread).toBe(c);
      // Activation moved C's PC back to its svc: it executes the Call again.
      expect(getTCB(restarted, c).context[NEXT_IP]).toBe(getTCB(restarted, c).context[FAULT_IP]);
      const { state } = run([...queued, CNode.cancelBadgedSends(B1), yieldNow(), call(B3, msg(3)), send(B1, msg(1))]);
      const [a, b, d] = [TA, TB, TD].map((t) => tcbAt(state, t));
      expect(epState(state)).toEqual({ _tag: 'SendEP', queue: [b, d, c, a] });
      expect(state.curThread).toBe(ROOT);
    });

    it('when every sender has the badge the endpoint becomes idle', () => {
      const { state } = run([...queued, CNode.cancelBadgedSends(B2), CNode.cancelBadgedSends(B1)]);
      expect(epState(state)).toEqual({ _tag: 'SendEP', queue: [tcbAt(state, TD)] });
      const all = run([...objects, CNode.mint(B1, EP, AllRights, 1), ...spawnInOrder([[TA], [TB]]), yieldNow(), send(B1), send(B1), CNode.cancelBadgedSends(B1)]).state;
      expect(epState(all)._tag).toBe('IdleEP');
    });

    it('an unbadged cap cancels nothing, not even unbadged senders', () => {
      const { state } = run([...queued, CNode.cancelBadgedSends(EP)]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect((epState(state) as { queue: readonly PPtr[] }).queue).toHaveLength(4);
    });

    it('waiting receivers are untouched', () => {
      const { state } = run([...objects, CNode.mint(B1, EP, AllRights, 1), ...spawnThread(TA), yieldNow(), recv(B1), CNode.cancelBadgedSends(B1)]);
      expect(epState(state)).toEqual({ _tag: 'RecvEP', queue: [tcbAt(state, TA)] });
      expect(stateOf(state, TA)._tag).toBe('BlockedOnReceive');
    });
  });

  describe('deleting and revoking endpoints', () => {
    const senders: Event[] = [...objects, ...spawnInOrder([[TA], [TB]]), yieldNow(), send(EP, msg(1)), call(EP, msg(2))];

    it('deleting the last cap restarts every queued sender and empties the queue', () => {
      const { state } = run([...senders, CNode.delete(EP)]);
      const [a, b] = [TA, TB].map((t) => tcbAt(state, t));
      expect(stateOf(state, TA)._tag).toBe('Restart');
      expect(stateOf(state, TB)._tag).toBe('Restart');
      expect(readyAt(state, 255)).toEqual(expect.arrayContaining([a, b]));
      expect(rootSlot(state, EP)._tag).toBe('NullCap');
    });

    it('restarted threads re-execute their syscall, which now finds no cap', () => {
      // B was restarted last, so it runs first: its Call now gets InvalidCapability; A's Send is dropped.
      const { state } = run([...senders, CNode.delete(EP), yieldNow(), call(EP, msg(2)), yieldNow(), send(EP, msg(1))]);
      expect(stateOf(state, TA)._tag).toBe('Running');
      expect(stateOf(state, TB)._tag).toBe('Running');
      expect(msgOf(state, TB, 1)).toMatchObject({ label: 2, words: [0] });
      expect(state.curThread).toBe(tcbAt(state, TA));
    });

    it('deleting the last cap restarts queued receivers too', () => {
      const { state } = run([...objects, ...spawnInOrder([[TA], [TB]]), yieldNow(), recv(EP), recv(EP), CNode.delete(EP)]);
      expect(stateOf(state, TA)._tag).toBe('Restart');
      expect(stateOf(state, TB)._tag).toBe('Restart');
    });

    it('deleting a cap that is not the last one leaves the queue alone', () => {
      const { state } = run([...objects, CNode.copy(X, EP, AllRights), ...spawnThread(TA), yieldNow(), send(X, msg(1)), CNode.delete(X)]);
      expect(stateOf(state, TA)._tag).toBe('BlockedOnSend');
      expect(epState(state)).toEqual({ _tag: 'SendEP', queue: [tcbAt(state, TA)] });
    });

    it('revoking the endpoint cap deletes its copies but not the endpoint: queued senders stay queued', () => {
      const { state } = run([...objects, CNode.mint(B1, EP, AllRights, 7), ...spawnThread(TA), yieldNow(), send(B1, msg(1)), CNode.revoke(EP)]);
      expect(rootSlot(state, B1)._tag).toBe('NullCap');
      expect(stateOf(state, TA)).toMatchObject({ _tag: 'BlockedOnSend', badge: 7 });
    });

    it('revoking the untyped an endpoint came from restarts its queued threads', () => {
      const UT = untypedSlot(13);
      const { state } = run([Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1), ...spawnInOrder([[TA], [TB]]), yieldNow(), recv(EP), recv(EP), CNode.revoke(UT)]);
      expect(rootSlot(state, EP)._tag).toBe('NullCap');
      expect(stateOf(state, TA)._tag).toBe('Restart');
      expect(stateOf(state, TB)._tag).toBe('Restart');
    });

    it('deleting a queued thread takes it out of the queue', () => {
      const { state } = run([...objects, ...spawnInOrder([[TA], [TB], [TC]]), yieldNow(), send(EP), send(EP), send(EP), CNode.move(X, TB), CNode.delete(X)]);
      expect((epState(state) as { queue: readonly PPtr[] }).queue).toEqual([tcbAt(state, TA), tcbAt(state, TC)]);
    });
  });
});
