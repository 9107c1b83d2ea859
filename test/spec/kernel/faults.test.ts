/**
 * Faults and fault handlers: cap faults (send and receive phase), unknown
 * syscalls and user exceptions delivered to the faulting thread's handler
 * endpoint, the exact message the handler receives, the handler's reply, and
 * double faults. Every scenario runs the spec and the concrete kernel in lock
 * step.
 *
 * The standard cast: the root task builds an endpoint EP and a badged handler
 * cap FH to it, a handler thread H (priority 200, IPC buffer window 1) and a
 * faulting thread F (priority 100, IPC buffer window 2, fault handler FH) with
 * distinctive registers, then suspends itself. H waits on EP, so F runs next.
 */
import { describe, expect, it } from 'vitest';
import { CPSR, type Event, FAULT_IP, InitSlot, LR, NEXT_IP, R0, R1, R2, R3, R4, R5, R6, R7, SP } from '../../../spec/api';
import { getCap, getEndpoint, getTCB, slotOf } from '../../../spec/model/heap';
import type { KernelState } from '../../../spec/model/state';
import { TCB_CALLER } from '../../../spec/model/structures';
import { CNODE, FREE, ObjType } from '../../helpers/boot';
import { AllRights, CNode, DomainSet, TCB, call, guardData, msg, nbRecv, nbSend, recv, reply, replyRecv, send, slot, syscall } from '../../../refinement/scenario';
import { replyOf, rootSlot, run } from '../../helpers/scenario';
import { bufferPaddr, bufferVaddr, retypeInto, spawnThread, tcbAt, tcbOf } from '../../helpers/threads';

// ---------------------------------------------------------------- the cast

const EP = FREE; // the fault endpoint (all rights)
const FH = FREE + 1; // the handler cap F names
const EP2 = FREE + 2; // a second endpoint
const NTFN = FREE + 3;
const CN = FREE + 4; // a CNode for F's own CSpace
const SPARE = FREE + 5;
const EMPTY = FREE + 30; // never filled
const TH = FREE + 10; // handler thread
const TF = FREE + 11; // faulting thread
const TG = FREE + 12; // a second faulting thread

const BADGE = 0x42;
/** CapRights words: bit 0 Write (Send), 1 Read (Receive), 2 Grant, 3 GrantReply. */
const R = { send: 1, recv: 2, grant: 4, grantReply: 8 } as const;
/** A cptr whose upper bits fail the root CNode's 20-bit zero guard. */
const BAD = 0x0010_0000 | 7;
/** What a root-CNode guard mismatch reports: GuardMismatch(bitsLeft 32, guardFound 0, guardSize 20). */
const ROOT_GUARD_MISMATCH = [4, 32, 0, 20];

const suspendRoot = TCB.suspend(InitSlot.ThreadTCB);

/** F's registers, in seL4_UserContext order (pc, sp, cpsr, r0, r1, r8..r12, r2..r7, lr, tpidrurw, tpidruro). */
const F_PC = 0x0001_0800;
const F_SP = 0x0007_ff00;
const F_LR = 0x0001_0abc;
const F_R6 = 0x0000_0606;
const F_R8 = 0x0000_0808;
/** Written as 0x6000001f; WriteRegisters keeps the flags and forces user mode. */
const F_CPSR = 0x6000_0150;
const F_CONTEXT = [F_PC, F_SP, 0x6000_001f, 0, 0, F_R8, 0x909, 0xa0a, 0xb0b, 0xc0c, 0, 0, 0, 0, F_R6, 0x707, F_LR, 0, 0];

/**
 * F in a CSpace of its own: a 16-slot CNode with a 28-bit guard whose slot 3
 * holds a handler cap with badge 0x77 (in the root CNode, slot 3 is the VSpace
 * cap, which could not be a handler); the handler thread TH at priority 200.
 */
const ownCSpaceFaulter = (): Event[] => [
  retypeInto(ObjType.Endpoint, EP),
  retypeInto(ObjType.CapTable, CN, 1, 4),
  CNode.mint(slot(3, CN, 4), EP, R.send | R.grant, 0x77),
  ...spawnThread(TH, { prio: 200, buffer: 1 }),
  retypeInto(ObjType.TCB, TF),
  TCB.configure(TF, 3, CN, guardData(0, 28), InitSlot.ThreadVSpace, 0, bufferVaddr(2), InitSlot.ThreadIPCBuffer),
  TCB.setSchedParams(TF, InitSlot.ThreadTCB, 100, 100),
  TCB.writeRegisters(TF, true, 0, F_CONTEXT.length, F_CONTEXT),
];

interface Cast {
  /** Rights and badge of the handler cap FH (default Send+Grant, badge 0x42). */
  readonly rights?: number;
  readonly badge?: number;
  /** F's fault handler cptr (default FH). */
  readonly faultEP?: number;
  /** H's IPC buffer window (0: none). */
  readonly handlerBuffer?: number;
  /** H's priority; at 200 it waits on EP before F runs, below F it is still queued when F faults. */
  readonly handlerPrio?: number;
}

/** The cast up to F's start: the root task is still running. */
const prelude = (o: Cast = {}): Event[] => [
  retypeInto(ObjType.Endpoint, EP),
  CNode.mint(FH, EP, o.rights ?? R.send | R.grant, o.badge ?? BADGE),
  ...spawnThread(TH, { prio: o.handlerPrio ?? 200, buffer: o.handlerBuffer ?? 1 }),
  ...spawnThread(TF, { prio: 100, buffer: 2, faultEP: o.faultEP ?? FH, suspended: true }),
  TCB.writeRegisters(TF, true, 0, F_CONTEXT.length, F_CONTEXT),
];

/** The whole cast: the root task suspends itself; a handler above F then waits on EP, so F runs. */
const cast = (o: Cast = {}): Event[] => [...prelude(o), suspendRoot, ...((o.handlerPrio ?? 200) > 100 ? [recv(EP)] : [])];

const H = (s: KernelState) => tcbAt(s, TH);
const F = (s: KernelState) => tcbAt(s, TF);
const reg = (s: KernelState, slot: number, r: number) => tcbOf(s, slot).context[r];
/** What H holds after receiving (its badge, label and words, MR4.. from its IPC buffer). */
const handlerGot = (s: KernelState, buffer = 1) => replyOf(s, H(s), buffer === 0 ? undefined : bufferPaddr(buffer));
const callerCap = (s: KernelState, t: number) => getCap(s, slotOf(t, TCB_CALLER));
/** The endpoint a root slot's cap names. */
const epPtr = (s: KernelState, slot: number): number => {
  const c = rootSlot(s, slot);
  if (c._tag !== 'EndpointCap') throw new Error(`root slot ${slot} holds ${c._tag}`);
  return c.ptr;
};

/** The cast, then F's faulting event; the handler H is current with the fault message. */
const faulted = (fault: Event, o: Cast = {}, more: readonly Event[] = []) => run([...cast(o), fault, ...more]);

// ---------------------------------------------------------------- tests

describe('spec/kernel/faultHandler', () => {
  describe('the cast', () => {
    it('leaves H waiting on EP and F running at its written PC with its written registers', () => {
      const { state } = run(cast());
      expect(state.curThread).toBe(F(state));
      expect(getEndpoint(state, epPtr(state, EP)).state).toEqual({ _tag: 'RecvEP', queue: [H(state)] });
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'Running' }, fault: null, faultHandler: FH });
      expect(reg(state, TF, NEXT_IP)).toBe(F_PC);
      expect(reg(state, TF, CPSR)).toBe(F_CPSR);
    });
  });

  describe('cap faults in the send phase', () => {
    it('a Call whose cptr fails lookup sends the handler label 1: restart PC, cptr, 0, the lookup failure', () => {
      const { state } = faulted(call(BAD, msg(9, [1, 2])));
      expect(state.curThread).toBe(H(state));
      expect(handlerGot(state)).toEqual({ badge: BADGE, label: 1, length: 7, words: [F_PC, BAD, 0, ...ROOT_GUARD_MISMATCH] });
      expect(tcbOf(state, TF)).toMatchObject({
        state: { _tag: 'BlockedOnReply' },
        fault: {
          _tag: 'CapFault',
          address: BAD,
          inReceivePhase: false,
          failure: { _tag: 'GuardMismatch', bitsLeft: 32, guardFound: 0, guardSize: 20 },
        },
      });
      // H's caller slot holds the one reply cap to F (Grant: H received with an all-rights cap).
      expect(callerCap(state, H(state))).toEqual({ _tag: 'ReplyCap', tcb: F(state), master: false, canGrant: true });
      expect(getEndpoint(state, epPtr(state, EP)).state._tag).toBe('IdleEP');
    });

    it('a Send whose cptr fails lookup faults the same way', () => {
      const { state } = faulted(send(BAD, msg(0, [5])));
      expect(handlerGot(state)).toMatchObject({ label: 1, words: [F_PC, BAD, 0, ...ROOT_GUARD_MISMATCH] });
      expect(tcbOf(state, TF).state._tag).toBe('BlockedOnReply');
    });

    it('an NBSend whose cptr fails lookup does not fault: F keeps running, H keeps waiting', () => {
      const { state } = faulted(nbSend(BAD, msg(0, [5])));
      expect(state.curThread).toBe(F(state));
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'Running' }, fault: null });
      expect(tcbOf(state, TH).state._tag).toBe('BlockedOnReceive');
      expect(reg(state, TF, NEXT_IP)).toBe(F_PC + 4);
    });

    it('a Call on an empty slot is not a fault: F gets InvalidCapability 0 and H keeps waiting', () => {
      const { state } = faulted(call(EMPTY, msg(9, [1])));
      expect(state.curThread).toBe(F(state));
      expect(replyOf(state, F(state), bufferPaddr(2))).toMatchObject({ label: 2, words: [0] });
      expect(tcbOf(state, TF).fault).toBeNull();
      expect(tcbOf(state, TH).state._tag).toBe('BlockedOnReceive');
    });

    it('a Send on a cap that cannot be invoked (an endpoint without Send) is dropped, not a fault', () => {
      const { state } = run([...prelude(), CNode.mint(SPARE, EP, R.recv, 0), suspendRoot, recv(EP), send(SPARE, msg(0, [1]))]);
      expect(state.curThread).toBe(F(state));
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'Running' }, fault: null });
      expect(tcbOf(state, TH).state._tag).toBe('BlockedOnReceive');
      // Sending on the all-rights cap delivers a normal message instead (the control case).
      const ok = faulted(send(EP, msg(0, [1]))).state;
      expect(tcbOf(ok, TH).state._tag).toBe('Running');
      expect(handlerGot(ok)).toMatchObject({ label: 0, badge: 0, words: [1] });
    });

    it("an extra cap that fails lookup faults the Call with that cap's cptr (before the empty invoked slot is decoded)", () => {
      const { state } = faulted(call(EP2, msg(3, [], [CNODE, BAD + 8])));
      expect(handlerGot(state)).toEqual({ badge: BADGE, label: 1, length: 7, words: [F_PC, BAD + 8, 0, ...ROOT_GUARD_MISMATCH] });
    });

    it('reports the restart PC of the faulting svc, not the next instruction', () => {
      // F first makes a harmless Call (an error reply), then faults one instruction later.
      const { state } = faulted(call(EMPTY), {}, [call(BAD)]);
      expect(handlerGot(state).words[0]).toBe(F_PC + 4);
      expect(reg(state, TF, FAULT_IP)).toBe(F_PC + 4);
    });
  });

  describe('cap faults in the receive phase', () => {
    it('a Recv on an empty slot reports in-receive-phase 1 and MissingCapability 0', () => {
      const { state } = faulted(recv(EMPTY));
      expect(handlerGot(state)).toEqual({ badge: BADGE, label: 1, length: 5, words: [F_PC, EMPTY, 1, 2, 0] });
      expect(tcbOf(state, TF).fault).toEqual({
        _tag: 'CapFault',
        address: EMPTY,
        inReceivePhase: true,
        failure: { _tag: 'MissingCapability', bitsLeft: 0 },
      });
    });

    it('an NBRecv whose cptr fails lookup faults too, with the lookup failure', () => {
      const { state } = faulted(nbRecv(BAD));
      expect(handlerGot(state)).toEqual({ badge: BADGE, label: 1, length: 7, words: [F_PC, BAD, 1, ...ROOT_GUARD_MISMATCH] });
    });

    it('a Recv on an endpoint cap without Receive faults', () => {
      const { state } = run([...prelude(), CNode.mint(SPARE, EP, R.send | R.grant, 0), suspendRoot, recv(EP), recv(SPARE)]);
      expect(handlerGot(state)).toMatchObject({ label: 1, words: [F_PC, SPARE, 1, 2, 0] });
    });

    it('a Recv on a cap that is neither endpoint nor notification faults', () => {
      const { state } = faulted(recv(CNODE));
      expect(handlerGot(state)).toMatchObject({ label: 1, words: [F_PC, CNODE, 1, 2, 0] });
    });

    it('a Recv on a notification bound to another thread faults; on an unbound one it waits', () => {
      const bindH = [retypeInto(ObjType.Notification, NTFN), TCB.bindNotification(TH, NTFN)];
      const bound = run([...prelude(), ...bindH, suspendRoot, recv(EP), recv(NTFN)]);
      expect(handlerGot(bound.state)).toMatchObject({ label: 1, words: [F_PC, NTFN, 1, 2, 0] });
      const unbound = run([...prelude(), retypeInto(ObjType.Notification, NTFN), suspendRoot, recv(EP), recv(NTFN)]);
      expect(tcbOf(unbound.state, TF)).toMatchObject({ state: { _tag: 'BlockedOnNotification' }, fault: null });
      expect(tcbOf(unbound.state, TH).state._tag).toBe('BlockedOnReceive');
    });

    it('a Recv on a notification without Receive faults', () => {
      const { state } = run([...prelude(), retypeInto(ObjType.Notification, NTFN), CNode.mint(SPARE, NTFN, R.send, 3), suspendRoot, recv(EP), recv(SPARE)]);
      expect(handlerGot(state)).toMatchObject({ label: 1, words: [F_PC, SPARE, 1, 2, 0] });
    });
  });

  describe('unknown syscalls', () => {
    const unknown = syscall({ sysno: -9, cptr: 0x11, info: 0x22, mrs: [0x33, 0x44, 0x55, 0x66] });
    const UNKNOWN_WORDS = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, F_R6, 0xffff_fff7, F_PC, F_SP, F_LR, F_CPSR, 0xffff_fff7];

    it('sends label 2 with r0..r7, FaultIP, SP, LR, CPSR and the syscall number', () => {
      const { state } = faulted(unknown);
      expect(handlerGot(state)).toEqual({ badge: BADGE, label: 2, length: 13, words: UNKNOWN_WORDS });
      expect(tcbOf(state, TF)).toMatchObject({
        state: { _tag: 'BlockedOnReply' },
        fault: { _tag: 'UnknownSyscall', syscallNumber: 0xffff_fff7 },
      });
    });

    it('reports positive and large numbers as they were in r7', () => {
      for (const n of [0, 1, 100, 0x7fff_ffff]) {
        const { state } = faulted(syscall({ sysno: n }));
        const got = handlerGot(state);
        expect(got.label).toBe(2);
        expect(got.words[7]).toBe(n);
        expect(got.words[12]).toBe(n);
      }
    });

    it('to a handler without an IPC buffer, only MR0..MR3 arrive (length 4)', () => {
      const { state } = faulted(unknown, { handlerBuffer: 0 });
      expect(handlerGot(state, 0)).toEqual({ badge: BADGE, label: 2, length: 4, words: [0x11, 0x22, 0x33, 0x44] });
    });

    const NEW = [0x100, 0x101, 0x102, 0x103, 0x104, 0x105, 0x106, 0x107, 0x0002_0000, 0x0006_0000, 0x0002_0444, 0xffff_ffff];

    it('a reply with label 0 sets the twelve registers (CPSR sanitised) and restarts F at the new PC', () => {
      const { state } = faulted(unknown, {}, [reply(msg(0, NEW))]);
      // F is lower priority than H: it is queued in Restart, its fault cleared, the reply cap used up.
      expect(state.curThread).toBe(H(state));
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'Restart' }, fault: null });
      expect(callerCap(state, H(state))._tag).toBe('NullCap');
      const ctx = tcbOf(state, TF).context;
      expect([R0, R1, R2, R3, R4, R5, R6, R7].map((r) => ctx[r])).toEqual(NEW.slice(0, 8));
      expect([ctx[FAULT_IP], ctx[SP], ctx[LR], ctx[CPSR]]).toEqual([0x0002_0000, 0x0006_0000, 0x0002_0444, 0xf800_0150]);
      // Once H waits again, F runs from the PC the handler gave it.
      const next = run([...cast(), unknown, reply(msg(0, NEW)), recv(EP)]).state;
      expect(next.curThread).toBe(F(next));
      expect(tcbOf(next, TF).state._tag).toBe('Running');
      expect(reg(next, TF, NEXT_IP)).toBe(0x0002_0000);
    });

    it('a reply with a non-zero label still sets the registers but leaves F Inactive', () => {
      const { state } = faulted(unknown, {}, [reply(msg(1, NEW))]);
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'Inactive' }, fault: null });
      expect(reg(state, TF, R0)).toBe(0x100);
      expect(reg(state, TF, CPSR)).toBe(0xf800_0150);
      const after = run([...cast(), unknown, reply(msg(1, NEW)), recv(EP)]).state;
      expect(after.curThread).toBe(after.idleThread);
    });

    it('a short reply sets only the registers it covers', () => {
      const { state } = faulted(unknown, {}, [reply(msg(0, [0xaaa, 0xbbb]))]);
      const ctx = tcbOf(state, TF).context;
      expect([ctx[R0], ctx[R1], ctx[R2], ctx[R6], ctx[FAULT_IP], ctx[SP], ctx[CPSR]]).toEqual([0xaaa, 0xbbb, 0x33, F_R6, F_PC, F_SP, F_CPSR]);
      expect(tcbOf(state, TF).state._tag).toBe('Restart');
    });

    it('a handler without an IPC buffer can set only r0..r3 by its reply', () => {
      const { state } = faulted(unknown, { handlerBuffer: 0 }, [reply(msg(0, NEW))]);
      const ctx = tcbOf(state, TF).context;
      expect([R0, R1, R2, R3, R4].map((r) => ctx[r])).toEqual([0x100, 0x101, 0x102, 0x103, 0x55]);
      expect([ctx[FAULT_IP], ctx[SP]]).toEqual([F_PC, F_SP]);
    });

    it('with no reply F re-executes the unknown syscall: it faults again', () => {
      const { state } = faulted(unknown, {}, [reply(), recv(EP), syscall({ sysno: -9 })]);
      // F restarted at the svc (FaultIP unchanged), then trapped again there.
      expect(handlerGot(state)).toMatchObject({ label: 2 });
      expect(handlerGot(state).words[8]).toBe(F_PC);
    });
  });

  describe('user exceptions', () => {
    const exception: Event = { kind: 'exception' };

    it('sends label 3 with FaultIP, SP, CPSR, number 0 and code 0', () => {
      const { state } = faulted(exception);
      expect(state.curThread).toBe(H(state));
      expect(handlerGot(state)).toEqual({ badge: BADGE, label: 3, length: 5, words: [F_PC, F_SP, F_CPSR, 0, 0] });
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'BlockedOnReply' }, fault: { _tag: 'UserException', number: 0, code: 0 } });
    });

    it('to a handler without an IPC buffer, only the first four words arrive', () => {
      const { state } = faulted(exception, { handlerBuffer: 0 });
      expect(handlerGot(state, 0)).toEqual({ badge: BADGE, label: 3, length: 4, words: [F_PC, F_SP, F_CPSR, 0] });
    });

    it('a reply with label 0 sets PC, SP and CPSR and F resumes at the new PC', () => {
      const { state } = faulted(exception, {}, [reply(msg(0, [0x0003_0000, 0x0005_0000, 0x9000_0000, 0xdead])), recv(EP)]);
      expect(state.curThread).toBe(F(state));
      const ctx = tcbOf(state, TF).context;
      expect([ctx[FAULT_IP], ctx[NEXT_IP], ctx[SP], ctx[CPSR]]).toEqual([0x0003_0000, 0x0003_0000, 0x0005_0000, 0x9000_0150]);
      // The fourth word is not a register of the exception message.
      expect(ctx[R0]).toBe(0);
      expect(tcbOf(state, TF).fault).toBeNull();
    });

    it('an empty reply restarts F at the faulting instruction', () => {
      const { state } = faulted(exception, {}, [reply(), recv(EP)]);
      expect(state.curThread).toBe(F(state));
      expect(reg(state, TF, NEXT_IP)).toBe(F_PC);
      expect(reg(state, TF, SP)).toBe(F_SP);
    });

    it('a reply with a non-zero label leaves F Inactive', () => {
      const { state } = faulted(exception, {}, [reply(msg(5, [0x0003_0000]))]);
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'Inactive' }, fault: null });
      expect(reg(state, TF, FAULT_IP)).toBe(0x0003_0000);
    });
  });

  describe('replies to cap faults', () => {
    it('restart F whatever the label and words; the registers stay as they were', () => {
      const before = faulted(call(BAD, msg(9, [1, 2]))).state;
      const { state } = faulted(call(BAD, msg(9, [1, 2])), {}, [reply(msg(7, [0x999, 0x888, 0x777]))]);
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'Restart' }, fault: null });
      expect(tcbOf(state, TF).context).toEqual(tcbOf(before, TF).context);
      expect(callerCap(state, H(state))._tag).toBe('NullCap');
    });

    it('F re-executes the faulting Call after the reply, and faults again', () => {
      const { state } = faulted(call(BAD, msg(9, [1, 2])), {}, [reply(), recv(EP)]);
      expect(state.curThread).toBe(F(state));
      expect(reg(state, TF, NEXT_IP)).toBe(F_PC);
      expect(tcbOf(state, TF).state._tag).toBe('Running');
    });

    it('ReplyRecv replies to one faulted thread and takes the next queued fault', () => {
      // H below F and G: both fault before H waits, and queue on EP in that order.
      const events: Event[] = [
        ...prelude({ handlerPrio: 50 }),
        ...spawnThread(TG, { prio: 100, buffer: 3, faultEP: FH, suspended: true }),
        TCB.writeRegisters(TG, true, 0, F_CONTEXT.length, [0x0001_0900, ...F_CONTEXT.slice(1)]),
        suspendRoot,
      ];
      const s0 = run(events).state;
      // G was resumed last, so it is at the head of the priority-100 queue.
      expect(s0.curThread).toBe(tcbAt(s0, TG));
      const G = tcbAt(s0, TG);
      const s1 = run([...events, call(BAD), { kind: 'exception' }]).state;
      expect(getEndpoint(s1, epPtr(s1, EP)).state).toEqual({ _tag: 'SendEP', queue: [G, F(s1)] });
      expect(s1.curThread).toBe(H(s1));
      const s2 = run([...events, call(BAD), { kind: 'exception' }, recv(EP)]).state;
      expect(handlerGot(s2)).toMatchObject({ label: 1, words: [0x0001_0900, BAD, 0, ...ROOT_GUARD_MISMATCH] });
      const { state } = run([...events, call(BAD), { kind: 'exception' }, recv(EP), replyRecv(EP)]);
      // G was restarted and, above H, runs at once, back at its faulting Call.
      expect(state.curThread).toBe(G);
      expect(getTCB(state, G)).toMatchObject({ state: { _tag: 'Running' }, fault: null });
      expect(getTCB(state, G).context[NEXT_IP]).toBe(0x0001_0900);
      // H holds F's fault, and the reply cap to F.
      expect(tcbOf(state, TF).state._tag).toBe('BlockedOnReply');
      expect(handlerGot(state)).toEqual({ badge: BADGE, label: 3, length: 5, words: [F_PC, F_SP, F_CPSR, 0, 0] });
      expect(callerCap(state, H(state))).toMatchObject({ _tag: 'ReplyCap', tcb: F(state) });
    });
  });

  describe('faults and thread control', () => {
    it('ReplyRecv completes the reply even when its receive phase faults', () => {
      // H has no fault handler: its own receive-phase fault is a double fault.
      const { state } = faulted(call(BAD), {}, [replyRecv(EMPTY)]);
      expect(tcbOf(state, TH)).toMatchObject({ state: { _tag: 'Inactive' }, fault: null });
      expect(callerCap(state, H(state))._tag).toBe('NullCap');
      // F was restarted by the reply and, H gone, runs again at its faulting Call.
      expect(state.curThread).toBe(F(state));
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'Running' }, fault: null });
      expect(reg(state, TF, NEXT_IP)).toBe(F_PC);
    });

    it("suspending F while it waits for the handler's reply forgets the fault and the reply cap", () => {
      const { state } = faulted(call(BAD), {}, [TCB.suspend(TF)]);
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'Inactive' }, fault: null });
      expect(callerCap(state, H(state))._tag).toBe('NullCap');
    });

    it("a fault queued on the endpoint survives Suspend and Resume: F's next message is the old fault", () => {
      // seL4 (non-MCS) clears tcbFault only when cancelling a reply wait, not a queued send.
      const events: Event[] = [
        ...cast({ handlerPrio: 50 }),
        call(BAD), // F faults with nobody waiting: it queues on EP; H runs
        TCB.suspend(TF), // H takes F off the queue
        TCB.resume(TF), // F restarts and, above H, runs at once
      ];
      const s0 = run(events).state;
      expect(s0.curThread).toBe(F(s0));
      expect(tcbOf(s0, TF).fault).toMatchObject({ _tag: 'CapFault', address: BAD });
      expect(getEndpoint(s0, epPtr(s0, EP)).state._tag).toBe('IdleEP');
      // F now sends a plain message on EP and H receives it: H gets the stale fault message.
      const { state } = run([...events, send(EP, msg(0x55, [1, 2, 3])), recv(EP)]);
      expect(handlerGot(state)).toEqual({ badge: 0, label: 1, length: 7, words: [F_PC, BAD, 0, ...ROOT_GUARD_MISMATCH] });
      // A plain Send does not wait for a reply: F runs on, its fault still recorded.
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'Running' }, fault: { _tag: 'CapFault' } });
    });
  });

  describe('replying through a saved reply cap', () => {
    const SAVED = FREE + 20;
    it('a Send on the saved cap is a fault reply: it sets the exception registers and restarts F', () => {
      const { state } = faulted({ kind: 'exception' }, {}, [CNode.saveCaller(SAVED), send(SAVED, msg(0, [0x0004_0000, 0x0004_8000, 0])), recv(EP)]);
      expect(rootSlot(state, SAVED)._tag).toBe('NullCap');
      expect(state.curThread).toBe(F(state));
      const ctx = tcbOf(state, TF).context;
      expect([ctx[NEXT_IP], ctx[SP], ctx[CPSR]]).toEqual([0x0004_0000, 0x0004_8000, 0x150]);
    });

    it('a Call on the saved cap with a non-zero label stops F; the handler gets an empty kernel reply', () => {
      const { state } = faulted({ kind: 'exception' }, {}, [CNode.saveCaller(SAVED), call(SAVED, msg(2, [0x0004_0000]))]);
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'Inactive' }, fault: null });
      expect(reg(state, TF, FAULT_IP)).toBe(0x0004_0000);
      expect(state.curThread).toBe(H(state));
      expect(handlerGot(state)).toEqual({ badge: 0, label: 0, length: 0, words: [] });
    });
  });

  describe('handlers in other domains', () => {
    it('a handler in another domain gets the message but does not run: it is queued in its domain', () => {
      const events: Event[] = [
        ...prelude(),
        TCB.setPriority(InitSlot.ThreadTCB, InitSlot.ThreadTCB, 150), // H (200) runs...
        recv(EP), // ...and waits; the root task (150) runs again
        DomainSet.set(InitSlot.Domain, 1, TH), // H, blocked, moves to domain 1
        suspendRoot, // F runs
        call(BAD),
      ];
      const { state } = run(events);
      expect(tcbOf(state, TH)).toMatchObject({ domain: 1, state: { _tag: 'Running' } });
      expect(state.readyQueues.get(256 + 200)).toEqual([H(state)]);
      expect(handlerGot(state)).toMatchObject({ badge: BADGE, label: 1, words: [F_PC, BAD, 0, ...ROOT_GUARD_MISMATCH] });
      expect(tcbOf(state, TF).state._tag).toBe('BlockedOnReply');
      // Nothing else is runnable in domain 0.
      expect(state.curThread).toBe(state.idleThread);
    });
  });

  describe('the handler cap', () => {
    it('a fault with nobody waiting queues F as a Call on EP with the handler badge; H receives it later', () => {
      const s0 = faulted(call(BAD), { handlerPrio: 50 }).state;
      expect(s0.curThread).toBe(H(s0));
      expect(tcbOf(s0, TF).state).toEqual({
        _tag: 'BlockedOnSend',
        ep: epPtr(s0, EP),
        badge: BADGE,
        canGrant: true,
        canGrantReply: true,
        isCall: true,
      });
      expect(getEndpoint(s0, epPtr(s0, EP)).state).toEqual({ _tag: 'SendEP', queue: [F(s0)] });
      const { state } = faulted(call(BAD), { handlerPrio: 50 }, [recv(EP)]);
      expect(handlerGot(state)).toEqual({ badge: BADGE, label: 1, length: 7, words: [F_PC, BAD, 0, ...ROOT_GUARD_MISMATCH] });
      expect(tcbOf(state, TF).state._tag).toBe('BlockedOnReply');
    });

    it('Send with GrantReply but no Grant is enough; the queued send may grant replies but not caps', () => {
      const s0 = faulted(call(BAD), { handlerPrio: 50, rights: R.send | R.grantReply }).state;
      expect(tcbOf(s0, TF).state).toMatchObject({ _tag: 'BlockedOnSend', canGrant: false, canGrantReply: true, isCall: true });
      const { state } = faulted({ kind: 'exception' }, { rights: R.send | R.grantReply, badge: 0x7 });
      expect(handlerGot(state)).toMatchObject({ badge: 0x7, label: 3 });
    });

    it('an unbadged handler cap delivers badge 0', () => {
      const { state } = faulted(call(BAD), { badge: 0, rights: R.send | R.grant });
      expect(handlerGot(state)).toMatchObject({ badge: 0, label: 1 });
    });

    it('is looked up when the fault happens: a cap put there after configuration is the one used', () => {
      const events = [...prelude(), CNode.delete(FH), CNode.mint(FH, EP, R.send | R.grant, 0x99), suspendRoot, recv(EP), call(BAD)];
      const { state } = run(events);
      expect(handlerGot(state)).toMatchObject({ badge: 0x99, label: 1 });
    });

    it("is looked up in the faulting thread's own CSpace", () => {
      const events: Event[] = [
        ...ownCSpaceFaulter(),
        suspendRoot,
        recv(EP),
        call(0x1000_0005), // fails F's 28-bit guard
      ];
      const { state } = run(events);
      expect(state.curThread).toBe(H(state));
      expect(handlerGot(state)).toEqual({ badge: 0x77, label: 1, length: 7, words: [F_PC, 0x1000_0005, 0, 4, 32, 0, 28] });
    });

    it('reports a depth mismatch in a two-level CSpace', () => {
      // F's root resolves 28 bits (24-bit guard, 4-bit radix); slot 2 holds a 256-slot CNode, which needs 8 more.
      const events: Event[] = [
        retypeInto(ObjType.Endpoint, EP),
        retypeInto(ObjType.CapTable, CN, 1, 4),
        retypeInto(ObjType.CapTable, SPARE, 1, 8),
        CNode.mint(slot(3, CN, 4), EP, R.send | R.grant, 0x77),
        CNode.copy(slot(2, CN, 4), SPARE, AllRights),
        ...spawnThread(TH, { prio: 200, buffer: 1 }),
        retypeInto(ObjType.TCB, TF),
        // The handler cptr 0x35 ends at slot 3 with 4 bits left over: leftover bits are ignored.
        TCB.configure(TF, 0x35, CN, guardData(0, 24), InitSlot.ThreadVSpace, 0, bufferVaddr(2), InitSlot.ThreadIPCBuffer),
        TCB.setSchedParams(TF, InitSlot.ThreadTCB, 100, 100),
        TCB.writeRegisters(TF, true, 0, F_CONTEXT.length, F_CONTEXT),
        suspendRoot,
        recv(EP),
        call(0x21),
      ];
      const { state } = run(events);
      expect(handlerGot(state)).toEqual({ badge: 0x77, label: 1, length: 6, words: [F_PC, 0x21, 0, 3, 4, 8] });
    });
  });

  describe('double faults', () => {
    const stopped = (state: KernelState) => {
      expect(tcbOf(state, TF)).toMatchObject({ state: { _tag: 'Inactive' }, fault: null });
      // Nobody was told: H still waits, and with nothing else runnable the idle thread runs.
      expect(tcbOf(state, TH).state._tag).toBe('BlockedOnReceive');
      expect(getEndpoint(state, epPtr(state, EP)).state).toEqual({ _tag: 'RecvEP', queue: [H(state)] });
      expect(state.curThread).toBe(state.idleThread);
      expect([...state.readyQueues.values()].flat()).not.toContain(F(state));
    };
    const cases: Array<[string, Cast]> = [
      ['the handler cap has Send only (neither Grant nor GrantReply)', { rights: R.send }],
      ['the handler cap has Grant and GrantReply but no Send', { rights: R.recv | R.grant | R.grantReply }],
      ['the handler cptr names an empty slot', { faultEP: EMPTY }],
      ['the handler cptr is 0 (the null slot)', { faultEP: 0 }],
      ['the handler cptr fails lookup', { faultEP: BAD }],
      ['the handler cptr names a CNode cap', { faultEP: CNODE }],
    ];
    for (const [name, o] of cases) {
      it(`${name}: F becomes Inactive`, () => stopped(faulted(call(BAD), o).state));
    }

    it('the handler cap is a notification cap with all rights', () => {
      const events = [...prelude({ faultEP: NTFN }), retypeInto(ObjType.Notification, NTFN), suspendRoot, recv(EP), { kind: 'exception' } as Event];
      stopped(run(events).state);
    });

    it('the handler cap was deleted after configuration', () => {
      stopped(run([...prelude(), CNode.delete(FH), suspendRoot, recv(EP), syscall({ sysno: 3 })]).state);
    });

    it('every kind of fault is a double fault without a handler', () => {
      for (const e of [call(BAD), send(BAD), recv(EMPTY), nbRecv(BAD), syscall({ sysno: -20 }), { kind: 'exception' } as Event]) stopped(faulted(e, { rights: R.send }).state);
    });

    it("F's CSpace root is gone: the fault and the handler lookup both fail (InvalidRoot)", () => {
      const events: Event[] = [
        ...ownCSpaceFaulter(),
        CNode.revoke(CN), // removes F's CSpace root, a child of CN
        suspendRoot,
        recv(EP),
      ];
      const s0 = run(events).state;
      expect(getCap(s0, slotOf(F(s0), 0))._tag).toBe('NullCap');
      expect(s0.curThread).toBe(F(s0));
      stopped(run([...events, call(3)]).state);
    });

    it('the control: with a usable handler cap (all rights) the same fault is delivered', () => {
      const { state } = faulted(call(BAD), { rights: R.send | R.grant | R.grantReply | R.recv });
      expect(tcbOf(state, TF).state._tag).toBe('BlockedOnReply');
      expect(rootSlot(state, FH)).toMatchObject({ _tag: 'EndpointCap', badge: BADGE });
    });
  });
});
