/**
 * Scenario tests for every TCB invocation (non-MCS, ARM32): each success
 * effect and each error path in seL4's check order, with the exact error
 * reply (label = seL4 error number, MRs = the error's words) that the calling
 * thread receives. Every scenario runs through the spec and the concrete
 * kernel in lock step.
 *
 * seL4: C src/object/tcb.c (decodeTCBInvocation, the decode and invokeTCB
 * functions), src/kernel/thread.c (suspend, restart, setPriority),
 * src/arch/arm/32/kernel/vspace.c (checkValidIPCBuffer, isValidVTableRoot);
 * Haskell Object/TCB.lhs.
 */
import { describe, expect, it } from 'vitest';
import {
  CPSR,
  FAULT_IP,
  FRAME_REGISTERS,
  GP_REGISTERS,
  InitSlot,
  LR,
  SYSCALL_ERROR_NUMBER,
  NEXT_IP,
  R0,
  R1,
  R2,
  R6,
  ROOT_IPC_BUFFER_PTR,
  ROOT_IPC_BUFFER_VADDR,
  SP,
  TPIDRURO,
  TPIDRURW,
  type Event,
  LABEL,
  SysSend,
  messageInfoFromWord,
  sanitiseCPSR,
} from '../../../spec/api';
import { getCap, getEndpoint, getNotification, getTCB, slotOf } from '../../../spec/model/heap';
import type { KernelState } from '../../../spec/model/state';
import { TCB_BUFFER, TCB_CALLER, TCB_CTABLE, TCB_REPLY, TCB_VTABLE, type Cap } from '../../../spec/model/structures';
import { isQueued } from '../../../spec/kernel/thread';
import { CNODE, FREE, ObjType, untypedSlot } from '../../helpers/boot';
import { AllRights, CNode, DomainSet, TCB, Untyped, call, guardData, invoke, msg, recv, send, slot, yieldNow } from '../../../refinement/scenario';
import { ROOT, replyOf, rootSlot, rootSlotPtr, run } from '../../helpers/scenario';
import { BIG_UT, bufferVaddr, retypeInto, spawnThread, tcbAt, tcbOf } from '../../helpers/threads';

// ---------------------------------------------------------------- fixtures

/** seL4 error numbers (libsel4 errors.h, pinned by test/spec/api/abi.test.ts): the label of an error reply. */
const Err = SYSCALL_ERROR_NUMBER;

const SELF = InitSlot.ThreadTCB; // the root thread's own TCB cap
const VSPACE = InitSlot.ThreadVSpace; // the root page directory (ASID 1)
const BUFFER_FRAME = InitSlot.ThreadIPCBuffer; // the root IPC buffer frame (mapped, RAM)

// Root CNode slots used by the scenarios.
const T = FREE; // a thread
const U = FREE + 1; // a second thread
const EP = FREE + 10; // an endpoint
const NTFN = FREE + 11; // a notification
const NTFN2 = FREE + 12; // a second notification
const OBJ = FREE + 13; // a scratch object (CNode, frame, page directory ...)
const COPY = FREE + 14; // a minted or copied cap

const ep = (slot: number = EP) => retypeInto(ObjType.Endpoint, slot);
const ntfn = (slot: number = NTFN) => retypeInto(ObjType.Notification, slot);
/** CopyRegisters' flag bits, for the malformed calls that are written out word by word. */
const CopyFlag = { suspendSource: 1, resumeTarget: 2, transferFrame: 4, transferInteger: 8 } as const;

/** Nineteen distinct register values in seL4_UserContext order (the CPSR one has every bit set). */
const VALUES: readonly number[] = Array.from({ length: 19 }, (_, i) => (i === 2 ? 0xffff_ffff : (0x1000_0000 + 0x111 * (i + 1)) >>> 0));
/** What the thread holds after VALUES is written: CPSR keeps the flags and is forced to user mode. */
const WRITTEN: readonly number[] = VALUES.map((v, i) => (i === 2 ? sanitiseCPSR(v) : v));
const USER_ORDER: readonly number[] = [...FRAME_REGISTERS, ...GP_REGISTERS];

const ctx = (s: KernelState, slot: number): readonly number[] => tcbOf(s, slot).context;
const userRegs = (s: KernelState, slot: number): number[] => USER_ORDER.map((r) => ctx(s, slot)[r] ?? 0);
const tcbSlot = (s: KernelState, slot: number, i: number): Cap => getCap(s, slotOf(tcbAt(s, slot), i));
const queued = (s: KernelState, slot: number): boolean => isQueued(s, tcbAt(s, slot));
/** The object an endpoint or notification cap in a root slot names. */
const objPtr = (s: KernelState, slot: number): number => {
  const c = rootSlot(s, slot);
  if (c._tag !== 'EndpointCap' && c._tag !== 'NotificationCap') throw new Error(`root slot ${slot} holds ${c._tag}`);
  return c.ptr;
};
/** The cap slot in a thread's TCB, as a slot pointer (for CDT checks). */
const tcbSlotPtr = (s: KernelState, slot: number, i: number): number => slotOf(tcbAt(s, slot), i);

/** The error (or success) reply the root thread gets after the events. */
const replyAfter = (events: readonly Event[]) => replyOf(run(events).state);

type ErrorCase = [string, Event[], { label: number; words: number[] }];
const checkErrors = (cases: ErrorCase[]) =>
  it.each(cases)('%s', (_n, events, expected) => {
    const r = replyAfter(events);
    expect(r).toMatchObject({ badge: 0, label: expected.label, words: expected.words });
    expect(r.length).toBe(expected.words.length);
  });

/** A thread at the root's priority, which runs once (and yields back) so that it is Running, not Restart. */
const ranOnce = (slot: number): Event[] => [...spawnThread(slot), yieldNow(), yieldNow()];
/** A thread at the root's priority that blocks receiving on EP. */
const blockedOnRecv = (slot: number): Event[] => [...spawnThread(slot), ep(), yieldNow(), recv(EP)];

// ---------------------------------------------------------------- tests

describe('spec/object/tcb', () => {
  describe('invocation labels', () => {
    checkErrors([
      ['InvalidInvocation (label 0) on a thread cap is IllegalOperation', [invoke(SELF, 0)], { label: Err.IllegalOperation, words: [] }],
      ['a CNode label on a thread cap is IllegalOperation', [CNode.copy(slot(FREE, SELF, 32), 2, AllRights)], { label: Err.IllegalOperation, words: [] }],
      ['an Untyped label on a thread cap is IllegalOperation', [Untyped.retype(SELF, 2, 0, CNODE, 0, 0, FREE, 1)], { label: Err.IllegalOperation, words: [] }],
      ['a DomainSet label on a thread cap is IllegalOperation', [DomainSet.set(SELF, 0, SELF)], { label: Err.IllegalOperation, words: [] }],
      ['a label past the last one is IllegalOperation', [invoke(SELF, 50)], { label: Err.IllegalOperation, words: [] }],
      ['a TCB label on a CNode cap is IllegalOperation', [TCB.resume(CNODE)], { label: Err.IllegalOperation, words: [] }],
    ]);
  });

  // ------------------------------------------------------------ registers

  describe('ReadRegisters', () => {
    it('replies with the first n registers in seL4_UserContext order', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.writeRegisters(T, false, 0, VALUES.length, VALUES), TCB.readRegisters(T, false, 0, 19)]);
      expect(replyOf(state)).toEqual({ badge: 0, label: 0, length: 19, words: WRITTEN });
    });
    it('replies with fewer registers when asked: n = 1 is the PC, n = 5 ends at r1', () => {
      const one = run([...spawnThread(T, { suspended: true }), TCB.writeRegisters(T, false, 0, VALUES.length, VALUES), TCB.readRegisters(T, false, 0, 1)]);
      expect(replyOf(one.state)).toEqual({ badge: 0, label: 0, length: 1, words: [VALUES[0]] });
      const five = run([...spawnThread(T, { suspended: true }), TCB.writeRegisters(T, false, 0, VALUES.length, VALUES), TCB.readRegisters(T, false, 0, 5)]);
      expect(replyOf(five.state)).toEqual({ badge: 0, label: 0, length: 5, words: WRITTEN.slice(0, 5) });
    });
    it('reads a fresh thread: everything zero except the user-mode CPSR', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.readRegisters(T, false, 0, 3)]);
      expect(replyOf(state).words).toEqual([0, 0, 0x150]);
    });
    it('leaves the thread alone without the suspend flag', () => {
      const { state } = run([...spawnThread(T), TCB.readRegisters(T, false, 0, 2)]);
      expect(tcbOf(state, T).state._tag).toBe('Restart');
      expect(queued(state, T)).toBe(true);
    });
    it('with the suspend flag, suspends the thread first: it leaves the ready queue and is Inactive', () => {
      const { state } = run([...spawnThread(T), TCB.readRegisters(T, true, 0, 2)]);
      expect(tcbOf(state, T).state._tag).toBe('Inactive');
      expect(queued(state, T)).toBe(false);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 2 });
    });
    it('suspending a Running thread first moves its restart PC to the next instruction, and reads that', () => {
      // T trapped (Yield) at PC 0 and continues at 4.
      const plain = run([...ranOnce(T), TCB.readRegisters(T, false, 0, 1)]);
      expect(replyOf(plain.state).words).toEqual([0]);
      const suspended = run([...ranOnce(T), TCB.readRegisters(T, true, 0, 1)]);
      expect(replyOf(suspended.state).words).toEqual([4]);
      expect(ctx(suspended.state, T)[FAULT_IP]).toBe(4);
    });
    it('ignores the arch flags byte and the other flag bits', () => {
      const { state } = run([...spawnThread(T), TCB.writeRegisters(T, false, 0, VALUES.length, VALUES), invoke(T, 'TCBReadRegisters', [0xff00 | 0xfe, 3])]);
      expect(replyOf(state)).toMatchObject({ label: 0, words: WRITTEN.slice(0, 3) });
      expect(tcbOf(state, T).state._tag).toBe('Restart');
    });
    it('sent without Call it still suspends the target, and the caller gets no reply', () => {
      const { state } = run([...spawnThread(T), invoke(T, 'TCBReadRegisters', [1, 19], [], SysSend)]);
      expect(tcbOf(state, T).state._tag).toBe('Inactive');
      expect(replyOf(state)).toMatchObject({ label: LABEL.TCBReadRegisters, length: 2, words: [1, 19] });
    });
    it('gives a caller without an IPC buffer only the four register MRs', () => {
      // T has no IPC buffer; it runs and reads the root thread's registers.
      const { state } = run([...spawnThread(T, { buffer: 0 }), yieldNow(), TCB.readRegisters(SELF, false, 0, 19)]);
      expect(state.curThread).toBe(tcbAt(state, T));
      const r = replyOf(state, tcbAt(state, T));
      expect(r).toMatchObject({ label: 0, length: 4 });
      const root = getTCB(state, ROOT).context;
      expect(r.words).toEqual([root[FAULT_IP], root[SP], root[CPSR], root[R0]]);
    });
    checkErrors([
      ['a one-word message is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBReadRegisters', [0])], { label: Err.TruncatedMessage, words: [] }],
      ['an empty message is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBReadRegisters')], { label: Err.TruncatedMessage, words: [] }],
      ['n = 0 is RangeError 1..19', [...spawnThread(T), TCB.readRegisters(T, false, 0, 0)], { label: Err.RangeError, words: [1, 19] }],
      ['n = 20 is RangeError 1..19', [...spawnThread(T), TCB.readRegisters(T, false, 0, 20)], { label: Err.RangeError, words: [1, 19] }],
      ['n = 2^32 - 1 is RangeError 1..19', [...spawnThread(T), TCB.readRegisters(T, false, 0, 0xffff_ffff)], { label: Err.RangeError, words: [1, 19] }],
      ['reading the current thread is IllegalOperation', [TCB.readRegisters(SELF, false, 0, 1)], { label: Err.IllegalOperation, words: [] }],
      ['the count is checked before the current-thread check', [TCB.readRegisters(SELF, false, 0, 0)], { label: Err.RangeError, words: [1, 19] }],
      ['the length is checked before the current-thread check', [invoke(SELF, 'TCBReadRegisters', [0])], { label: Err.TruncatedMessage, words: [] }],
    ]);
    it('a refused read with the suspend flag suspends nothing', () => {
      const { state } = run([...spawnThread(T), TCB.readRegisters(T, true, 0, 20)]);
      expect(tcbOf(state, T).state._tag).toBe('Restart');
    });
  });

  describe('WriteRegisters', () => {
    it('writes all nineteen registers in order, forcing CPSR to user mode; the thread restarts at the new PC', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.writeRegisters(T, false, 0, VALUES.length, VALUES)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(userRegs(state, T)).toEqual(WRITTEN);
      expect(ctx(state, T)[CPSR]).toBe(0xf800_0150);
      expect(ctx(state, T)[NEXT_IP]).toBe(VALUES[0]);
      expect(tcbOf(state, T).state._tag).toBe('Inactive');
      expect(queued(state, T)).toBe(false);
    });
    it('writes only the first n registers', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.writeRegisters(T, false, 0, VALUES.length, VALUES), TCB.writeRegisters(T, false, 0, 2, [0x4000, 0x5000])]);
      expect(userRegs(state, T)).toEqual([0x4000, 0x5000, ...WRITTEN.slice(2)]);
      expect(ctx(state, T)[NEXT_IP]).toBe(0x4000);
    });
    it('n = 0 writes nothing but still sets the next PC to the restart PC', () => {
      const { state } = run([...ranOnce(T), TCB.writeRegisters(T, false, 0, 0, [])]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(ctx(state, T)[FAULT_IP]).toBe(0);
      expect(ctx(state, T)[NEXT_IP]).toBe(0);
    });
    it('a count above nineteen writes nineteen registers', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.writeRegisters(T, false, 0, VALUES.length + 2, [...VALUES, 0xaaaa, 0xbbbb])]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(userRegs(state, T)).toEqual(WRITTEN);
      // No register outside seL4_UserContext changed.
      expect(ctx(state, T)[R0]).toBe(VALUES[3]);
    });
    it('a Running thread that is not current continues at the written PC when it next runs', () => {
      const { state } = run([...ranOnce(T), TCB.writeRegisters(T, false, 0, 1, [0x7000]), yieldNow()]);
      expect(state.curThread).toBe(tcbAt(state, T));
      expect(ctx(state, T)[NEXT_IP]).toBe(0x7000);
      expect(ctx(state, T)[FAULT_IP]).toBe(0x7000);
    });
    it('a caller without an IPC buffer has at most four message words: a longer write is TruncatedMessage', () => {
      const { state } = run([...spawnThread(U, { suspended: true }), ...spawnThread(T, { buffer: 0 }), yieldNow(), TCB.writeRegisters(U, false, 0, 3, [1, 2, 3])]);
      expect(state.curThread).toBe(tcbAt(state, T));
      expect(replyOf(state, tcbAt(state, T))).toMatchObject({ label: Err.TruncatedMessage, length: 0 });
      const ok = run([...spawnThread(U, { suspended: true }), ...spawnThread(T, { buffer: 0 }), yieldNow(), TCB.writeRegisters(U, false, 0, 2, [0x300, 0x400, 0x500])]);
      expect(replyOf(ok.state, tcbAt(ok.state, T))).toMatchObject({ label: 0 });
      expect(userRegs(ok.state, U).slice(0, 3)).toEqual([0x300, 0x400, 0x150]);
    });
    it('leaves a suspended thread Inactive without the resume flag', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.writeRegisters(T, false, 0, 1, [0x8000])]);
      expect(tcbOf(state, T).state._tag).toBe('Inactive');
    });
    it('with the resume flag, restarts the thread: a higher-priority one runs at once from the written PC', () => {
      const { state } = run([...spawnThread(T, { prio: 200, suspended: true }), TCB.setPriority(SELF, SELF, 100), TCB.writeRegisters(T, true, 0, 2, [0x8000, 0x9000])]);
      expect(state.curThread).toBe(tcbAt(state, T));
      expect(tcbOf(state, T).state._tag).toBe('Running');
      expect(ctx(state, T)[NEXT_IP]).toBe(0x8000);
      expect(ctx(state, T)[SP]).toBe(0x9000);
      // The root thread got its reply before it was preempted.
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
    });
    it('with the resume flag, a thread blocked on an endpoint leaves it and restarts', () => {
      const { state } = run([...blockedOnRecv(T), TCB.writeRegisters(T, true, 0, 1, [0x8000])]);
      expect(tcbOf(state, T).state._tag).toBe('Restart');
      expect(queued(state, T)).toBe(true);
      expect(getEndpoint(state, objPtr(state, EP)).state._tag).toBe('IdleEP');
    });
    it('the resume flag does nothing to a thread that is already runnable', () => {
      const { state } = run([...ranOnce(T), TCB.writeRegisters(T, true, 0, 1, [0x8000])]);
      expect(tcbOf(state, T).state._tag).toBe('Running');
      expect(queued(state, T)).toBe(true);
    });
    checkErrors([
      ['an empty message is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBWriteRegisters')], { label: Err.TruncatedMessage, words: [] }],
      ['a one-word message is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBWriteRegisters', [0])], { label: Err.TruncatedMessage, words: [] }],
      ['fewer values than the count is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBWriteRegisters', [0, 3, 1, 2])], { label: Err.TruncatedMessage, words: [] }],
      ['a huge count is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBWriteRegisters', [0, 0xffff_ffff, 1])], { label: Err.TruncatedMessage, words: [] }],
      ['writing the current thread is IllegalOperation', [TCB.writeRegisters(SELF, false, 0, 1, [0x8000])], { label: Err.IllegalOperation, words: [] }],
      ['the length is checked before the current-thread check', [invoke(SELF, 'TCBWriteRegisters', [0, 2, 0x8000])], { label: Err.TruncatedMessage, words: [] }],
    ]);
    it('a refused write changes no register', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), invoke(T, 'TCBWriteRegisters', [0, 3, 7, 8])]);
      expect(userRegs(state, T)).toEqual(USER_ORDER.map((r) => (r === CPSR ? 0x150 : 0)));
    });
  });

  describe('CopyRegisters', () => {
    /** U holds VALUES; T is a fresh suspended thread. */
    const setup = (): Event[] => [...spawnThread(U, { suspended: true }), TCB.writeRegisters(U, false, 0, VALUES.length, VALUES), ...spawnThread(T, { suspended: true })];
    const fresh = USER_ORDER.map((r) => (r === CPSR ? 0x150 : 0));

    it('copies the frame registers only; the destination restarts at the copied PC', () => {
      const { state } = run([...setup(), TCB.copyRegisters(T, U, false, false, true, false, 0)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(userRegs(state, T)).toEqual([...WRITTEN.slice(0, 10), ...fresh.slice(10)]);
      expect(ctx(state, T)[NEXT_IP]).toBe(VALUES[0]);
    });
    it('copies the general-purpose registers only', () => {
      const { state } = run([...setup(), TCB.copyRegisters(T, U, false, false, false, true, 0)]);
      expect(userRegs(state, T)).toEqual([...fresh.slice(0, 10), ...WRITTEN.slice(10)]);
      expect(ctx(state, T)[NEXT_IP]).toBe(0);
    });
    it('copies everything with both transfer flags', () => {
      const { state } = run([...setup(), TCB.copyRegisters(T, U, false, false, true, true, 0)]);
      expect(userRegs(state, T)).toEqual(WRITTEN);
      expect(userRegs(state, U)).toEqual(WRITTEN);
    });
    it('copies nothing without transfer flags', () => {
      const { state } = run([...setup(), TCB.copyRegisters(T, U, false, false, false, false, 0)]);
      expect(userRegs(state, T)).toEqual(fresh);
      expect(replyOf(state)).toMatchObject({ label: 0 });
    });
    it('suspends the source when asked', () => {
      const { state } = run([...ranOnce(U), ...spawnThread(T, { suspended: true }), TCB.copyRegisters(T, U, true, false, false, false, 0)]);
      expect(tcbOf(state, U).state._tag).toBe('Inactive');
      expect(queued(state, U)).toBe(false);
      // The source was Running: its restart point moved past its Yield.
      expect(ctx(state, U)[FAULT_IP]).toBe(4);
    });
    it('suspends the source before copying: the destination gets its updated restart PC', () => {
      const { state } = run([...ranOnce(U), ...spawnThread(T, { suspended: true }), TCB.copyRegisters(T, U, true, false, true, false, 0)]);
      expect(ctx(state, T)[FAULT_IP]).toBe(4);
      expect(ctx(state, T)[NEXT_IP]).toBe(4);
    });
    it('resumes the destination when asked: a higher-priority destination runs at once', () => {
      const { state } = run([
        ...spawnThread(U, { suspended: true }),
        TCB.writeRegisters(U, false, 0, VALUES.length, VALUES),
        ...spawnThread(T, { prio: 200, suspended: true }),
        TCB.setPriority(SELF, SELF, 100),
        TCB.copyRegisters(T, U, false, true, true, false, 0),
      ]);
      expect(state.curThread).toBe(tcbAt(state, T));
      expect(ctx(state, T)[NEXT_IP]).toBe(VALUES[0]);
      expect(ctx(state, T)[SP]).toBe(VALUES[1]);
    });
    it('resuming leaves a destination without the flag stopped', () => {
      const { state } = run([...setup(), TCB.copyRegisters(T, U, false, false, false, true, 0)]);
      expect(tcbOf(state, T).state._tag).toBe('Inactive');
      expect(tcbOf(state, U).state._tag).toBe('Inactive');
    });
    it("may copy into the current thread: the root thread takes U's general-purpose registers", () => {
      const { state } = run([...setup(), TCB.copyRegisters(SELF, U, false, false, false, true, 0)]);
      const root = getTCB(state, ROOT).context;
      expect(replyOf(state)).toMatchObject({ badge: 0, label: 0, length: 0 });
      expect(root[R6]).toBe(VALUES[14]);
      expect(root[LR]).toBe(VALUES[16]);
      expect(root[TPIDRURW]).toBe(VALUES[17]);
      expect(root[TPIDRURO]).toBe(VALUES[18]);
      // MR0 (r2) is not touched by the empty reply.
      expect(root[R2]).toBe(VALUES[10]);
      expect(state.curThread).toBe(ROOT);
    });
    it('may suspend the current thread as the source: it stops, and the copy shows its syscall as the restart PC', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.copyRegisters(T, SELF, true, false, true, false, 0)]);
      const root = getTCB(state, ROOT);
      expect(root.state._tag).toBe('Inactive');
      expect(state.curThread).toBe(state.idleThread);
      expect(root.context[NEXT_IP]).toBe((root.context[FAULT_IP] ?? 0) + 4);
      expect(ctx(state, T)[FAULT_IP]).toBe(root.context[FAULT_IP]);
      expect(ctx(state, T)[R0]).toBe(T);
      // No reply: the root thread's message info is still the CopyRegisters call's.
      expect(messageInfoFromWord(root.context[R1] ?? 0).label).toBe(LABEL.TCBCopyRegisters);
    });
    it('may copy a thread onto itself', () => {
      const { state } = run([...setup(), TCB.copyRegisters(U, U, false, false, true, true, 0)]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(userRegs(state, U)).toEqual(WRITTEN);
    });
    checkErrors([
      ['an empty message is TruncatedMessage', [...setup(), invoke(T, 'TCBCopyRegisters', [], [U])], { label: Err.TruncatedMessage, words: [] }],
      ['no source cap is TruncatedMessage', [...setup(), invoke(T, 'TCBCopyRegisters', [CopyFlag.transferFrame])], { label: Err.TruncatedMessage, words: [] }],
      [
        'a source that is not a thread cap is InvalidCapability 1',
        [...setup(), TCB.copyRegisters(T, CNODE, false, false, true, false, 0)],
        { label: Err.InvalidCapability, words: [1] },
      ],
      ['an empty source slot is InvalidCapability 1', [...setup(), TCB.copyRegisters(T, FREE + 20, false, false, true, false, 0)], { label: Err.InvalidCapability, words: [1] }],
      ['the length is checked before the source cap', [...setup(), invoke(T, 'TCBCopyRegisters', [], [CNODE])], { label: Err.TruncatedMessage, words: [] }],
    ]);
    it('a refused copy suspends nothing', () => {
      const { state } = run([...ranOnce(U), ...spawnThread(T, { suspended: true }), TCB.copyRegisters(U, CNODE, true, false, false, false, 0)]);
      expect(tcbOf(state, U).state._tag).toBe('Running');
    });
  });

  // ------------------------------------------------------------ thread control

  describe('Configure', () => {
    it('installs the CSpace root, VSpace root and IPC buffer (derived caps, children of their sources) and the fault handler', () => {
      const { state } = run([retypeInto(ObjType.TCB, T), TCB.configure(T, 0x77, CNODE, 0, VSPACE, 0, bufferVaddr(3), BUFFER_FRAME)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      const tcb = tcbOf(state, T);
      expect(tcb.faultHandler).toBe(0x77);
      expect(tcb.ipcBuffer).toBe(bufferVaddr(3));
      expect(tcbSlot(state, T, TCB_CTABLE)).toEqual(rootSlot(state, CNODE));
      expect(tcbSlot(state, T, TCB_VTABLE)).toEqual(rootSlot(state, VSPACE));
      expect(tcbSlot(state, T, TCB_BUFFER)).toMatchObject({ _tag: 'FrameCap', ptr: ROOT_IPC_BUFFER_PTR, mapped: null, isDevice: false });
      expect(state.cdt.parent.get(tcbSlotPtr(state, T, TCB_CTABLE))).toBe(rootSlotPtr(CNODE));
      expect(state.cdt.parent.get(tcbSlotPtr(state, T, TCB_VTABLE))).toBe(rootSlotPtr(VSPACE));
      expect(state.cdt.parent.get(tcbSlotPtr(state, T, TCB_BUFFER))).toBe(rootSlotPtr(BUFFER_FRAME));
      // Priorities and the thread state are untouched.
      expect(tcb).toMatchObject({ priority: 0, mcp: 0, state: { _tag: 'Inactive' } });
    });
    it("applies the CSpace root data as the new root's guard", () => {
      const { state } = run([retypeInto(ObjType.TCB, T), TCB.configure(T, 0, CNODE, guardData(5, 4), VSPACE, 0, bufferVaddr(1), BUFFER_FRAME)]);
      expect(tcbSlot(state, T, TCB_CTABLE)).toMatchObject({ _tag: 'CNodeCap', radix: 12, guard: 5, guardSize: 4 });
      expect(rootSlot(state, CNODE)).toMatchObject({ guardSize: 20 });
    });
    it('ignores the VSpace root data (ARM page directory caps take no data)', () => {
      const { state } = run([retypeInto(ObjType.TCB, T), TCB.configure(T, 0, CNODE, 0, VSPACE, 0x1234, bufferVaddr(1), BUFFER_FRAME)]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(tcbSlot(state, T, TCB_VTABLE)).toEqual(rootSlot(state, VSPACE));
    });
    it('with buffer address 0 installs no buffer frame and ignores the third cap', () => {
      const { state } = run([retypeInto(ObjType.TCB, T), TCB.configure(T, 0, CNODE, 0, VSPACE, 0, 0, CNODE)]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(tcbOf(state, T).ipcBuffer).toBe(0);
      expect(tcbSlot(state, T, TCB_BUFFER)._tag).toBe('NullCap');
    });
    it('replaces the previous roots and buffer; the old caps are deleted', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), retypeInto(ObjType.CapTable, OBJ, 1, 3), TCB.configure(T, 9, OBJ, 0, VSPACE, 0, 0, BUFFER_FRAME)]);
      expect(tcbSlot(state, T, TCB_CTABLE)).toMatchObject({ _tag: 'CNodeCap', radix: 3 });
      expect(state.cdt.parent.get(tcbSlotPtr(state, T, TCB_CTABLE))).toBe(rootSlotPtr(OBJ));
      expect(tcbSlot(state, T, TCB_BUFFER)._tag).toBe('NullCap');
      expect(tcbOf(state, T)).toMatchObject({ ipcBuffer: 0, faultHandler: 9 });
      // The root CNode cap no longer has the old copy as a child.
      expect(state.cdt.children.get(rootSlotPtr(CNODE)) ?? []).not.toContain(tcbSlotPtr(state, T, TCB_CTABLE));
    });
    it('may configure the current thread: its roots are replaced by fresh copies and it keeps running', () => {
      const { state } = run([TCB.configure(SELF, 3, CNODE, 0, VSPACE, 0, ROOT_IPC_BUFFER_VADDR, BUFFER_FRAME)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(state.curThread).toBe(ROOT);
      expect(getTCB(state, ROOT)).toMatchObject({ faultHandler: 3, ipcBuffer: ROOT_IPC_BUFFER_VADDR, state: { _tag: 'Running' } });
      for (const [i, src] of [
        [TCB_CTABLE, CNODE],
        [TCB_VTABLE, VSPACE],
        [TCB_BUFFER, BUFFER_FRAME],
      ] as const)
        expect(state.cdt.parent.get(slotOf(ROOT, i))).toBe(rootSlotPtr(src));
      expect(getCap(state, slotOf(ROOT, TCB_BUFFER))).toMatchObject({ _tag: 'FrameCap', ptr: ROOT_IPC_BUFFER_PTR, mapped: null });
    });
    it('keeps the priority and MCP of a configured thread', () => {
      const { state } = run([...spawnThread(T, { prio: 77, suspended: true }), TCB.configure(T, 0, CNODE, 0, VSPACE, 0, bufferVaddr(2), BUFFER_FRAME)]);
      expect(tcbOf(state, T)).toMatchObject({ priority: 77, mcp: 77, ipcBuffer: bufferVaddr(2) });
    });
    checkErrors([
      [
        'three arguments are TruncatedMessage',
        [retypeInto(ObjType.TCB, T), invoke(T, 'TCBConfigure', [0, 0, 0], [CNODE, VSPACE, BUFFER_FRAME])],
        { label: Err.TruncatedMessage, words: [] },
      ],
      [
        'two caps are TruncatedMessage',
        [retypeInto(ObjType.TCB, T), invoke(T, 'TCBConfigure', [0, 0, 0, bufferVaddr(1)], [CNODE, VSPACE])],
        { label: Err.TruncatedMessage, words: [] },
      ],
      ['no caps are TruncatedMessage', [retypeInto(ObjType.TCB, T), invoke(T, 'TCBConfigure', [0, 0, 0, 0], [])], { label: Err.TruncatedMessage, words: [] }],
      [
        'a buffer address off a 512-byte boundary is AlignmentError',
        [retypeInto(ObjType.TCB, T), TCB.configure(T, 0, CNODE, 0, VSPACE, 0, bufferVaddr(1) + 4, BUFFER_FRAME)],
        { label: Err.AlignmentError, words: [] },
      ],
      [
        'a buffer cap that is not a frame is IllegalOperation',
        [retypeInto(ObjType.TCB, T), TCB.configure(T, 0, CNODE, 0, VSPACE, 0, bufferVaddr(1), CNODE)],
        { label: Err.IllegalOperation, words: [] },
      ],
      [
        'a buffer cap that cannot be derived (untyped with children) is RevokeFirst',
        [retypeInto(ObjType.TCB, T), TCB.configure(T, 0, CNODE, 0, VSPACE, 0, bufferVaddr(1), BIG_UT)],
        { label: Err.RevokeFirst, words: [] },
      ],
      [
        'the buffer is checked before the CSpace root',
        [retypeInto(ObjType.TCB, T), TCB.configure(T, 0, VSPACE, 0, VSPACE, 0, bufferVaddr(1) + 4, BUFFER_FRAME)],
        { label: Err.AlignmentError, words: [] },
      ],
      [
        'a CSpace root that is not a CNode is IllegalOperation',
        [retypeInto(ObjType.TCB, T), TCB.configure(T, 0, VSPACE, 0, VSPACE, 0, bufferVaddr(1), BUFFER_FRAME)],
        { label: Err.IllegalOperation, words: [] },
      ],
      [
        'CSpace root data making guard plus radix exceed 32 is IllegalOperation',
        [retypeInto(ObjType.TCB, T), TCB.configure(T, 0, CNODE, guardData(0, 21), VSPACE, 0, bufferVaddr(1), BUFFER_FRAME)],
        { label: Err.IllegalOperation, words: [] },
      ],
      [
        'a CSpace root that cannot be derived (untyped with children) is RevokeFirst',
        [retypeInto(ObjType.TCB, T), TCB.configure(T, 0, BIG_UT, 0, CNODE, 0, bufferVaddr(1), BUFFER_FRAME)],
        { label: Err.RevokeFirst, words: [] },
      ],
      [
        'a VSpace root that is not a page directory is IllegalOperation',
        [retypeInto(ObjType.TCB, T), TCB.configure(T, 0, CNODE, 0, CNODE, 0, bufferVaddr(1), BUFFER_FRAME)],
        { label: Err.IllegalOperation, words: [] },
      ],
      [
        'a VSpace root that cannot be derived (untyped with children) is RevokeFirst',
        [retypeInto(ObjType.TCB, T), TCB.configure(T, 0, CNODE, 0, BIG_UT, 0, bufferVaddr(1), BUFFER_FRAME)],
        { label: Err.RevokeFirst, words: [] },
      ],
      [
        'a page directory without an ASID is IllegalOperation',
        [retypeInto(ObjType.TCB, T), retypeInto(ObjType.PageDirectory, OBJ), TCB.configure(T, 0, CNODE, 0, OBJ, 0, bufferVaddr(1), BUFFER_FRAME)],
        { label: Err.IllegalOperation, words: [] },
      ],
    ]);
    it('a refused Configure changes nothing', () => {
      const { state } = run([...spawnThread(T, { faultEP: 5, suspended: true }), TCB.configure(T, 6, CNODE, 0, CNODE, 0, bufferVaddr(2), BUFFER_FRAME)]);
      expect(tcbOf(state, T)).toMatchObject({ faultHandler: 5, ipcBuffer: bufferVaddr(1) });
    });
  });

  describe('SetPriority', () => {
    it('sets the priority of a stopped thread without queueing it', () => {
      const { state } = run([...spawnThread(T, { prio: 100, suspended: true }), TCB.setPriority(T, SELF, 50)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(tcbOf(state, T)).toMatchObject({ priority: 50, mcp: 100, state: { _tag: 'Inactive' } });
      expect(queued(state, T)).toBe(false);
    });
    it('moves a ready thread to its new queue; below the caller it does not run', () => {
      const { state } = run([...spawnThread(T, { prio: 100 }), TCB.setPriority(T, SELF, 120)]);
      expect(tcbOf(state, T).priority).toBe(120);
      expect(queued(state, T)).toBe(true);
      expect(state.readyQueues.get(100)).toBeUndefined();
      expect(state.curThread).toBe(ROOT);
    });
    it('a ready thread raised above the caller runs at once', () => {
      const { state } = run([...spawnThread(T, { prio: 100 }), TCB.setPriority(SELF, SELF, 150), TCB.setPriority(T, SELF, 200)]);
      expect(state.curThread).toBe(tcbAt(state, T));
      expect(tcbOf(state, T).priority).toBe(200);
      expect(getTCB(state, ROOT).priority).toBe(150);
      expect(replyOf(state)).toMatchObject({ label: 0 });
    });
    it('the caller lowering its own priority below a ready thread lets that thread run', () => {
      const { state } = run([...spawnThread(T, { prio: 200 }), TCB.setPriority(SELF, SELF, 100)]);
      expect(getTCB(state, ROOT).priority).toBe(100);
      expect(state.curThread).toBe(tcbAt(state, T));
      expect(queued(state, T)).toBe(false);
    });
    it('a caller without an IPC buffer cannot pass an authority cap: TruncatedMessage', () => {
      const { state } = run([...spawnThread(U, { suspended: true }), ...spawnThread(T, { buffer: 0 }), yieldNow(), TCB.setPriority(U, SELF, 10)]);
      expect(state.curThread).toBe(tcbAt(state, T));
      expect(replyOf(state, tcbAt(state, T))).toMatchObject({ label: Err.TruncatedMessage, length: 0 });
      expect(tcbOf(state, U).priority).toBe(255);
    });
    it('the caller lowering its own priority but staying highest keeps running', () => {
      const { state } = run([...spawnThread(T, { prio: 50 }), TCB.setPriority(SELF, SELF, 100)]);
      expect(state.curThread).toBe(ROOT);
    });
    it('a thread in another domain raised above the caller is only queued in its domain', () => {
      const { state } = run([...spawnThread(T, { prio: 10 }), DomainSet.set(InitSlot.Domain, 1, T), TCB.setPriority(SELF, SELF, 100), TCB.setPriority(T, SELF, 200)]);
      expect(state.curThread).toBe(ROOT);
      expect(tcbOf(state, T)).toMatchObject({ domain: 1, priority: 200 });
      expect(state.readyQueues.get(256 + 200)).toEqual([tcbAt(state, T)]);
    });
    it('sets the priority of a blocked thread; it stays blocked', () => {
      const { state } = run([...blockedOnRecv(T), TCB.setPriority(T, SELF, 10)]);
      expect(tcbOf(state, T)).toMatchObject({ priority: 10, state: { _tag: 'BlockedOnReceive' } });
      expect(queued(state, T)).toBe(false);
    });
    it("allows exactly the authority's MCP, and the authority is the extra cap, not the caller", () => {
      // U has MCP 100 and is the authority; the root (MCP 255) invokes.
      const ok = run([...spawnThread(U, { prio: 100, suspended: true }), ...spawnThread(T, { prio: 10, suspended: true }), TCB.setPriority(T, U, 100)]);
      expect(tcbOf(ok.state, T).priority).toBe(100);
      const bad = run([...spawnThread(U, { prio: 100, suspended: true }), ...spawnThread(T, { prio: 10, suspended: true }), TCB.setPriority(T, U, 101)]);
      expect(replyOf(bad.state)).toMatchObject({ label: Err.RangeError, words: [0, 100] });
      expect(tcbOf(bad.state, T).priority).toBe(10);
    });
    it('a thread may use its own cap as authority', () => {
      const { state } = run([...spawnThread(T, { prio: 30, suspended: true }), TCB.setPriority(T, T, 30), TCB.setPriority(T, T, 31)]);
      expect(replyOf(state)).toMatchObject({ label: Err.RangeError, words: [0, 30] });
      expect(tcbOf(state, T).priority).toBe(30);
    });
    checkErrors([
      ['an empty message is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBSetPriority', [], [SELF])], { label: Err.TruncatedMessage, words: [] }],
      ['no authority cap is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBSetPriority', [10])], { label: Err.TruncatedMessage, words: [] }],
      ['an authority that is not a thread cap is InvalidCapability 1', [...spawnThread(T), TCB.setPriority(T, CNODE, 10)], { label: Err.InvalidCapability, words: [1] }],
      ['an empty authority slot is InvalidCapability 1', [...spawnThread(T), TCB.setPriority(T, FREE + 20, 10)], { label: Err.InvalidCapability, words: [1] }],
      ['the authority type is checked before the priority', [...spawnThread(T), TCB.setPriority(T, CNODE, 1000)], { label: Err.InvalidCapability, words: [1] }],
      ["256 is above the root's MCP: RangeError 0..255", [...spawnThread(T), TCB.setPriority(T, SELF, 256)], { label: Err.RangeError, words: [0, 255] }],
      ['2^32 - 1 is RangeError 0..255 (the whole word is compared)', [...spawnThread(T), TCB.setPriority(T, SELF, 0xffff_ffff)], { label: Err.RangeError, words: [0, 255] }],
      [
        'after lowering its own MCP the root is limited by it',
        [...spawnThread(T), TCB.setMCPriority(SELF, SELF, 100), TCB.setPriority(T, SELF, 101)],
        { label: Err.RangeError, words: [0, 100] },
      ],
      [
        'an authority with MCP 0 allows only priority 0',
        [...spawnThread(U, { prio: 0, suspended: true }), ...spawnThread(T), TCB.setPriority(T, U, 1)],
        { label: Err.RangeError, words: [0, 0] },
      ],
    ]);
  });

  describe('SetMCPriority', () => {
    it('sets the MCP and leaves the priority', () => {
      const { state } = run([...spawnThread(T, { prio: 100 }), TCB.setMCPriority(T, SELF, 42)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(tcbOf(state, T)).toMatchObject({ mcp: 42, priority: 100 });
      expect(queued(state, T)).toBe(true);
    });
    it('the new MCP limits the thread as an authority', () => {
      const { state } = run([
        ...spawnThread(T, { prio: 100, suspended: true }),
        ...spawnThread(U, { prio: 5, suspended: true }),
        TCB.setMCPriority(T, SELF, 20),
        TCB.setPriority(U, T, 21),
      ]);
      expect(replyOf(state)).toMatchObject({ label: Err.RangeError, words: [0, 20] });
    });
    it('the root may lower its own MCP; its priority stays', () => {
      const { state } = run([TCB.setMCPriority(SELF, SELF, 7)]);
      expect(getTCB(state, ROOT)).toMatchObject({ mcp: 7, priority: 255 });
    });
    it("may raise an MCP up to the authority's", () => {
      const { state } = run([...spawnThread(T, { prio: 10, suspended: true }), TCB.setMCPriority(T, SELF, 255)]);
      expect(tcbOf(state, T).mcp).toBe(255);
    });
    checkErrors([
      ['an empty message is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBSetMCPriority', [], [SELF])], { label: Err.TruncatedMessage, words: [] }],
      ['no authority cap is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBSetMCPriority', [10])], { label: Err.TruncatedMessage, words: [] }],
      ['an authority that is not a thread cap is InvalidCapability 1', [...spawnThread(T), TCB.setMCPriority(T, VSPACE, 10)], { label: Err.InvalidCapability, words: [1] }],
      [
        "an MCP above the authority's is RangeError 0..MCP",
        [...spawnThread(U, { prio: 60, suspended: true }), ...spawnThread(T), TCB.setMCPriority(T, U, 61)],
        { label: Err.RangeError, words: [0, 60] },
      ],
      ['256 is RangeError 0..255', [...spawnThread(T), TCB.setMCPriority(T, SELF, 256)], { label: Err.RangeError, words: [0, 255] }],
    ]);
  });

  describe('SetSchedParams', () => {
    it('sets the MCP and the priority', () => {
      const { state } = run([...spawnThread(T, { prio: 100, suspended: true }), TCB.setSchedParams(T, SELF, 90, 80)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(tcbOf(state, T)).toMatchObject({ mcp: 90, priority: 80 });
    });
    it('takes the MCP first (MR0) and the priority second (MR1)', () => {
      const { state } = run([...spawnThread(T, { prio: 100, suspended: true }), TCB.setSchedParams(T, SELF, 3, 200)]);
      expect(tcbOf(state, T)).toMatchObject({ mcp: 3, priority: 200 });
    });
    it("checks both against the authority's MCP before the change: a thread may lower its MCP below its new priority", () => {
      const { state } = run([...spawnThread(T, { prio: 100, suspended: true }), TCB.setSchedParams(T, T, 10, 60)]);
      expect(tcbOf(state, T)).toMatchObject({ mcp: 10, priority: 60 });
    });
    it('a ready thread given a priority above the caller runs at once', () => {
      const { state } = run([...spawnThread(T, { prio: 10 }), TCB.setPriority(SELF, SELF, 100), TCB.setSchedParams(T, SELF, 200, 200)]);
      expect(state.curThread).toBe(tcbAt(state, T));
    });
    checkErrors([
      ['a one-word message is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBSetSchedParams', [10], [SELF])], { label: Err.TruncatedMessage, words: [] }],
      ['no authority cap is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBSetSchedParams', [10, 10])], { label: Err.TruncatedMessage, words: [] }],
      ['an authority that is not a thread cap is InvalidCapability 1', [...spawnThread(T), TCB.setSchedParams(T, CNODE, 10, 10)], { label: Err.InvalidCapability, words: [1] }],
      [
        "an MCP above the authority's is RangeError",
        [...spawnThread(U, { prio: 100, suspended: true }), ...spawnThread(T), TCB.setSchedParams(T, U, 101, 50)],
        { label: Err.RangeError, words: [0, 100] },
      ],
      [
        "a priority above the authority's MCP is RangeError",
        [...spawnThread(U, { prio: 100, suspended: true }), ...spawnThread(T), TCB.setSchedParams(T, U, 50, 101)],
        { label: Err.RangeError, words: [0, 100] },
      ],
      ['a priority of 256 is RangeError 0..255', [...spawnThread(T), TCB.setSchedParams(T, SELF, 0, 256)], { label: Err.RangeError, words: [0, 255] }],
    ]);
    it('a refused SetSchedParams sets neither value', () => {
      const { state } = run([...spawnThread(T, { prio: 40, suspended: true }), TCB.setSchedParams(T, SELF, 30, 256)]);
      expect(tcbOf(state, T)).toMatchObject({ mcp: 40, priority: 40 });
    });
  });

  describe('SetIPCBuffer', () => {
    it('installs the address and a derived, unmapped copy of the frame cap', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.setIPCBuffer(T, bufferVaddr(5), BUFFER_FRAME)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(tcbOf(state, T).ipcBuffer).toBe(bufferVaddr(5));
      expect(tcbSlot(state, T, TCB_BUFFER)).toMatchObject({ _tag: 'FrameCap', ptr: ROOT_IPC_BUFFER_PTR, mapped: null });
      expect(state.cdt.parent.get(tcbSlotPtr(state, T, TCB_BUFFER))).toBe(rootSlotPtr(BUFFER_FRAME));
    });
    it('accepts a frame that is not mapped anywhere', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), retypeInto(ObjType.SmallPage, OBJ), TCB.setIPCBuffer(T, 0x4_0000, OBJ)]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(tcbOf(state, T).ipcBuffer).toBe(0x4_0000);
      const frame = rootSlot(state, OBJ);
      expect(tcbSlot(state, T, TCB_BUFFER)).toEqual(frame);
    });
    it('accepts a 64 KiB frame', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), retypeInto(ObjType.LargePage, OBJ), TCB.setIPCBuffer(T, 0x5_0e00, OBJ)]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(tcbSlot(state, T, TCB_BUFFER)).toMatchObject({ _tag: 'FrameCap', sizeBits: 16 });
    });
    it('with address 0 removes the buffer and ignores the cap', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.setIPCBuffer(T, 0, CNODE)]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(tcbOf(state, T).ipcBuffer).toBe(0);
      expect(tcbSlot(state, T, TCB_BUFFER)._tag).toBe('NullCap');
    });
    it("may move the current thread's own buffer; it keeps running", () => {
      const { state } = run([TCB.setIPCBuffer(SELF, ROOT_IPC_BUFFER_VADDR + 0x200, BUFFER_FRAME)]);
      expect(replyOf(state, ROOT, ROOT_IPC_BUFFER_PTR + 0x200)).toMatchObject({ label: 0 });
      expect(getTCB(state, ROOT).ipcBuffer).toBe(ROOT_IPC_BUFFER_VADDR + 0x200);
      expect(state.curThread).toBe(ROOT);
    });
    checkErrors([
      ['an empty message is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBSetIPCBuffer', [], [BUFFER_FRAME])], { label: Err.TruncatedMessage, words: [] }],
      ['no frame cap is TruncatedMessage, even for address 0', [...spawnThread(T), invoke(T, 'TCBSetIPCBuffer', [0])], { label: Err.TruncatedMessage, words: [] }],
      [
        'an address off a 512-byte boundary is AlignmentError',
        [...spawnThread(T), TCB.setIPCBuffer(T, bufferVaddr(2) + 0x100, BUFFER_FRAME)],
        { label: Err.AlignmentError, words: [] },
      ],
      ['an address one byte off is AlignmentError', [...spawnThread(T), TCB.setIPCBuffer(T, bufferVaddr(2) + 1, BUFFER_FRAME)], { label: Err.AlignmentError, words: [] }],
      ['a cap that is not a frame is IllegalOperation', [...spawnThread(T), ep(), TCB.setIPCBuffer(T, bufferVaddr(2), EP)], { label: Err.IllegalOperation, words: [] }],
      ['an empty slot is IllegalOperation', [...spawnThread(T), TCB.setIPCBuffer(T, bufferVaddr(2), FREE + 20)], { label: Err.IllegalOperation, words: [] }],
      ['the frame type is checked before the alignment', [...spawnThread(T), TCB.setIPCBuffer(T, bufferVaddr(2) + 4, CNODE)], { label: Err.IllegalOperation, words: [] }],
      [
        'a device frame is IllegalOperation',
        [...spawnThread(T), Untyped.retype(untypedSlot(20, true), ObjType.SmallPage, 0, CNODE, 0, 0, OBJ, 1), TCB.setIPCBuffer(T, bufferVaddr(2), OBJ)],
        { label: Err.IllegalOperation, words: [] },
      ],
      [
        'a cap that cannot be derived (untyped with children) is RevokeFirst',
        [...spawnThread(T), TCB.setIPCBuffer(T, bufferVaddr(2), BIG_UT)],
        { label: Err.RevokeFirst, words: [] },
      ],
    ]);
    it('a refused SetIPCBuffer keeps the old buffer', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.setIPCBuffer(T, bufferVaddr(2) + 4, BUFFER_FRAME)]);
      expect(tcbOf(state, T).ipcBuffer).toBe(bufferVaddr(1));
      expect(tcbSlot(state, T, TCB_BUFFER)._tag).toBe('FrameCap');
    });
  });

  describe('SetSpace', () => {
    it('installs the fault handler word (unchecked) and derived copies of both roots', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), retypeInto(ObjType.CapTable, OBJ, 1, 5), TCB.setSpace(T, 0xdead_beef, OBJ, 0, VSPACE, 0)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(tcbOf(state, T).faultHandler).toBe(0xdead_beef);
      expect(tcbSlot(state, T, TCB_CTABLE)).toEqual(rootSlot(state, OBJ));
      expect(state.cdt.parent.get(tcbSlotPtr(state, T, TCB_CTABLE))).toBe(rootSlotPtr(OBJ));
      expect(tcbSlot(state, T, TCB_VTABLE)).toEqual(rootSlot(state, VSPACE));
      // The IPC buffer is untouched.
      expect(tcbOf(state, T).ipcBuffer).toBe(bufferVaddr(1));
      expect(tcbSlot(state, T, TCB_BUFFER)._tag).toBe('FrameCap');
    });
    it('applies the CSpace root data as a guard', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), retypeInto(ObjType.CapTable, OBJ, 1, 5), TCB.setSpace(T, 0, OBJ, guardData(0x1ab, 9), VSPACE, 0)]);
      expect(tcbSlot(state, T, TCB_CTABLE)).toMatchObject({ _tag: 'CNodeCap', radix: 5, guard: 0x1ab, guardSize: 9 });
    });
    it('drops guard bits above the guard size given in the CSpace root data', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), retypeInto(ObjType.CapTable, OBJ, 1, 5), TCB.setSpace(T, 0, OBJ, guardData(0x3ff, 4), VSPACE, 0)]);
      expect(tcbSlot(state, T, TCB_CTABLE)).toMatchObject({ _tag: 'CNodeCap', guard: 0xf, guardSize: 4 });
      // The source cap keeps its own guard.
      expect(rootSlot(state, OBJ)).toMatchObject({ guard: 0, guardSize: 0 });
    });
    it('may replace a CNode root that is not final', () => {
      const { state } = run([
        ...spawnThread(T, { suspended: true }),
        retypeInto(ObjType.CapTable, OBJ, 1, 5),
        TCB.setSpace(T, 0, OBJ, 0, VSPACE, 0),
        TCB.setSpace(T, 2, CNODE, 0, VSPACE, 0),
      ]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(tcbSlot(state, T, TCB_CTABLE)).toEqual(rootSlot(state, CNODE));
      expect(state.cdt.children.get(rootSlotPtr(OBJ))).toBeUndefined();
    });
    /** T's CSpace root holds the only cap to a CNode: replacing it would need a long-running delete. */
    const finalRoot = (): Event[] => [...spawnThread(T, { suspended: true }), retypeInto(ObjType.CapTable, OBJ, 1, 5), TCB.setSpace(T, 0, OBJ, 0, VSPACE, 0), CNode.delete(OBJ)];
    checkErrors([
      ['two arguments are TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBSetSpace', [0, 0], [CNODE, VSPACE])], { label: Err.TruncatedMessage, words: [] }],
      ['one cap is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBSetSpace', [0, 0, 0], [CNODE])], { label: Err.TruncatedMessage, words: [] }],
      ['a CSpace root that is not a CNode is IllegalOperation', [...spawnThread(T), TCB.setSpace(T, 0, SELF, 0, VSPACE, 0)], { label: Err.IllegalOperation, words: [] }],
      ['an empty CSpace root slot is IllegalOperation', [...spawnThread(T), TCB.setSpace(T, 0, FREE + 20, 0, VSPACE, 0)], { label: Err.IllegalOperation, words: [] }],
      [
        'CSpace root data with guard plus radix above 32 is IllegalOperation',
        [...spawnThread(T), retypeInto(ObjType.CapTable, OBJ, 1, 5), TCB.setSpace(T, 0, OBJ, guardData(0, 28), VSPACE, 0)],
        { label: Err.IllegalOperation, words: [] },
      ],
      ['a CSpace root that cannot be derived is RevokeFirst', [...spawnThread(T), TCB.setSpace(T, 0, BIG_UT, 0, VSPACE, 0)], { label: Err.RevokeFirst, words: [] }],
      [
        'a VSpace root that is not a page directory is IllegalOperation',
        [...spawnThread(T), TCB.setSpace(T, 0, CNODE, 0, BUFFER_FRAME, 0)],
        { label: Err.IllegalOperation, words: [] },
      ],
      [
        'a page directory without an ASID is IllegalOperation',
        [...spawnThread(T), retypeInto(ObjType.PageDirectory, OBJ), TCB.setSpace(T, 0, CNODE, 0, OBJ, 0)],
        { label: Err.IllegalOperation, words: [] },
      ],
      ['a VSpace root that cannot be derived is RevokeFirst', [...spawnThread(T), TCB.setSpace(T, 0, CNODE, 0, BIG_UT, 0)], { label: Err.RevokeFirst, words: [] }],
      ['the CSpace root is checked before the VSpace root', [...spawnThread(T), TCB.setSpace(T, 0, BIG_UT, 0, CNODE, 0)], { label: Err.RevokeFirst, words: [] }],
      ['a final CNode as the current CSpace root is IllegalOperation', [...finalRoot(), TCB.setSpace(T, 0, CNODE, 0, VSPACE, 0)], { label: Err.IllegalOperation, words: [] }],
      ['the final-root check comes before the new roots are derived', [...finalRoot(), TCB.setSpace(T, 0, BIG_UT, 0, VSPACE, 0)], { label: Err.IllegalOperation, words: [] }],
      [
        'Configure makes the same final-root check',
        [...finalRoot(), TCB.configure(T, 0, CNODE, 0, VSPACE, 0, bufferVaddr(1), BUFFER_FRAME)],
        { label: Err.IllegalOperation, words: [] },
      ],
      [
        'Configure checks the buffer before the final root',
        [...finalRoot(), TCB.configure(T, 0, CNODE, 0, VSPACE, 0, bufferVaddr(1) + 8, BUFFER_FRAME)],
        { label: Err.AlignmentError, words: [] },
      ],
    ]);
    it('a refused SetSpace keeps the old roots and fault handler', () => {
      const { state } = run([...finalRoot(), TCB.setSpace(T, 3, CNODE, 0, VSPACE, 0)]);
      expect(tcbSlot(state, T, TCB_CTABLE)).toMatchObject({ _tag: 'CNodeCap', radix: 5 });
      expect(tcbOf(state, T).faultHandler).toBe(0);
    });
  });

  // ------------------------------------------------------------ suspend and resume

  describe('Suspend', () => {
    it('makes a ready thread Inactive and takes it off the ready queue', () => {
      const { state } = run([...spawnThread(T, { prio: 100 }), TCB.suspend(T)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(tcbOf(state, T).state._tag).toBe('Inactive');
      expect(queued(state, T)).toBe(false);
      expect(state.readyQueues.get(100)).toBeUndefined();
    });
    it('takes a thread blocked on an endpoint out of the endpoint queue', () => {
      const { state } = run([...blockedOnRecv(T), TCB.suspend(T)]);
      expect(tcbOf(state, T).state._tag).toBe('Inactive');
      const epPtr = objPtr(state, EP);
      expect(getEndpoint(state, epPtr).state._tag).toBe('IdleEP');
    });
    it('takes one of two waiting receivers out of the queue, leaving the other', () => {
      const { state } = run([...spawnThread(T), ...spawnThread(U), ep(), yieldNow(), recv(EP), recv(EP), TCB.suspend(T)]);
      expect(state.curThread).toBe(ROOT);
      const epPtr = objPtr(state, EP);
      expect(getEndpoint(state, epPtr).state).toEqual({ _tag: 'RecvEP', queue: [tcbAt(state, U)] });
    });
    it('takes a thread waiting on a notification out of its queue', () => {
      const { state } = run([...spawnThread(T), ntfn(), yieldNow(), recv(NTFN), TCB.suspend(T)]);
      expect(tcbOf(state, T).state._tag).toBe('Inactive');
      const n = objPtr(state, NTFN);
      expect(getNotification(state, n).state._tag).toBe('IdleNtfn');
    });
    it('a thread waiting for a reply loses the outstanding reply cap', () => {
      const events = [...spawnThread(T), ep(), yieldNow(), call(EP, msg(0, [1])), recv(EP)];
      const before = run(events);
      expect(getCap(before.state, slotOf(ROOT, TCB_CALLER))).toMatchObject({ _tag: 'ReplyCap', tcb: tcbAt(before.state, T) });
      expect(tcbOf(before.state, T).state._tag).toBe('BlockedOnReply');
      const { state } = run([...events, TCB.suspend(T)]);
      expect(tcbOf(state, T).state._tag).toBe('Inactive');
      expect(getCap(state, slotOf(ROOT, TCB_CALLER))._tag).toBe('NullCap');
    });
    it("a faulted thread waiting for its handler's reply loses its fault and the reply cap", () => {
      const events: Event[] = [...spawnThread(T, { faultEP: EP }), ep(), yieldNow(), { kind: 'exception' }, recv(EP)];
      const before = run(events);
      expect(tcbOf(before.state, T)).toMatchObject({ state: { _tag: 'BlockedOnReply' }, fault: { _tag: 'UserException' } });
      expect(replyOf(before.state)).toMatchObject({ label: 3 }); // the UserException fault message
      const { state } = run([...events, TCB.suspend(T)]);
      expect(tcbOf(state, T)).toMatchObject({ state: { _tag: 'Inactive' }, fault: null });
      expect(getCap(state, slotOf(ROOT, TCB_CALLER))._tag).toBe('NullCap');
    });
    it('a Running thread will continue after its last instruction when resumed', () => {
      const { state } = run([...ranOnce(T), TCB.suspend(T)]);
      expect(ctx(state, T)[FAULT_IP]).toBe(4);
      const resumed = run([...ranOnce(T), TCB.suspend(T), TCB.resume(T), yieldNow()]);
      expect(resumed.state.curThread).toBe(tcbAt(resumed.state, T));
      expect(ctx(resumed.state, T)[NEXT_IP]).toBe(4);
    });
    it('suspending an Inactive thread changes nothing', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.suspend(T)]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(tcbOf(state, T).state._tag).toBe('Inactive');
    });
    it('the caller may suspend itself: it gets no reply and the next thread runs', () => {
      const { state } = run([...spawnThread(T, { prio: 10 }), TCB.suspend(SELF)]);
      expect(getTCB(state, ROOT).state._tag).toBe('Inactive');
      expect(state.curThread).toBe(tcbAt(state, T));
      // The message info register still holds the Suspend call's info: no reply was written.
      const info = messageInfoFromWord(getTCB(state, ROOT).context[R1] ?? 0);
      expect(info.label).toBe(11);
    });
    it('a thread that suspended itself re-executes its Suspend call when resumed (it was in Restart, not Running)', () => {
      const prefix = [...spawnThread(T, { prio: 10 }), TCB.suspend(SELF)];
      const svc = getTCB(run(prefix).state, ROOT).context[FAULT_IP];
      expect(getTCB(run(prefix).state, ROOT).context[NEXT_IP]).toBe((svc ?? 0) + 4);
      // T (sharing the root CSpace) resumes the root thread, which outranks it.
      const { state } = run([...prefix, TCB.resume(SELF)]);
      expect(state.curThread).toBe(ROOT);
      expect(getTCB(state, ROOT).context[FAULT_IP]).toBe(svc);
      expect(getTCB(state, ROOT).context[NEXT_IP]).toBe(svc);
      expect(replyOf(state, tcbAt(state, T))).toMatchObject({ label: 0, length: 0 });
    });
    it('a thread that suspends itself with nothing else to run leaves the idle thread running', () => {
      const { state } = run([TCB.suspend(SELF)]);
      expect(state.curThread).toBe(state.idleThread);
    });
    it('does not unbind a bound notification', () => {
      const { state } = run([...spawnThread(T), ntfn(), TCB.bindNotification(T, NTFN), TCB.suspend(T)]);
      expect(tcbOf(state, T).boundNotification).toBe(objPtr(state, NTFN));
    });
  });

  describe('Resume', () => {
    it('restarts a suspended thread: Restart, queued, with a reply master', () => {
      const before = run([...spawnThread(T, { prio: 100, suspended: true })]);
      expect(tcbSlot(before.state, T, TCB_REPLY)._tag).toBe('NullCap');
      const { state } = run([...spawnThread(T, { prio: 100, suspended: true }), TCB.resume(T)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(tcbOf(state, T).state._tag).toBe('Restart');
      expect(queued(state, T)).toBe(true);
      expect(state.curThread).toBe(ROOT);
      expect(tcbSlot(state, T, TCB_REPLY)).toEqual({ _tag: 'ReplyCap', tcb: tcbAt(state, T), master: true, canGrant: true });
      const master = tcbSlotPtr(state, T, TCB_REPLY);
      expect(state.cdt.original.has(master)).toBe(true);
      expect(state.cdt.parent.has(master)).toBe(false);
    });
    it('a resumed thread above the caller runs at once, from its restart PC', () => {
      const { state } = run([...spawnThread(T, { prio: 200, suspended: true }), TCB.writeRegisters(T, false, 0, 1, [0x2000]), TCB.setPriority(SELF, SELF, 100), TCB.resume(T)]);
      expect(state.curThread).toBe(tcbAt(state, T));
      expect(tcbOf(state, T).state._tag).toBe('Running');
      expect(ctx(state, T)[NEXT_IP]).toBe(0x2000);
      expect(getTCB(state, ROOT).state._tag).toBe('Running');
      expect(isQueued(state, ROOT)).toBe(true);
    });
    it("a resumed thread at the caller's priority waits its turn behind it", () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.resume(T)]);
      expect(state.curThread).toBe(ROOT);
      expect(state.readyQueues.get(255)).toEqual([tcbAt(state, T)]);
    });
    it('a resumed thread in another domain does not run, whatever its priority', () => {
      const { state } = run([...spawnThread(T, { prio: 200, suspended: true }), DomainSet.set(InitSlot.Domain, 2, T), TCB.setPriority(SELF, SELF, 100), TCB.resume(T)]);
      expect(state.curThread).toBe(ROOT);
      expect(tcbOf(state, T).state._tag).toBe('Restart');
      expect(state.readyQueues.get(2 * 256 + 200)).toEqual([tcbAt(state, T)]);
    });
    it('resuming a runnable thread changes nothing', () => {
      const { state } = run([...ranOnce(T), TCB.resume(T)]);
      expect(tcbOf(state, T).state._tag).toBe('Running');
      expect(state.readyQueues.get(255)).toEqual([tcbAt(state, T)]);
    });
    it('resuming a thread blocked on an endpoint aborts the receive: it will run its syscall again', () => {
      const { state } = run([...blockedOnRecv(T), TCB.resume(T)]);
      expect(tcbOf(state, T).state._tag).toBe('Restart');
      const epPtr = objPtr(state, EP);
      expect(getEndpoint(state, epPtr).state._tag).toBe('IdleEP');
      const again = run([...blockedOnRecv(T), TCB.resume(T), yieldNow()]);
      // When T next runs it continues at the svc of the aborted Recv (its restart PC), re-executing it.
      expect(again.state.curThread).toBe(tcbAt(again.state, T));
      expect(ctx(again.state, T)[NEXT_IP]).toBe(ctx(again.state, T)[FAULT_IP]);
    });
    it('resuming a thread waiting for a reply deletes the outstanding reply cap', () => {
      const { state } = run([...spawnThread(T), ep(), yieldNow(), call(EP, msg(0, [1])), recv(EP), TCB.resume(T)]);
      expect(tcbOf(state, T).state._tag).toBe('Restart');
      expect(getCap(state, slotOf(ROOT, TCB_CALLER))._tag).toBe('NullCap');
    });
    it('resuming a thread waiting on a notification takes it off the notification', () => {
      const { state } = run([...spawnThread(T), ntfn(), yieldNow(), recv(NTFN), TCB.resume(T)]);
      const n = objPtr(state, NTFN);
      expect(getNotification(state, n).state._tag).toBe('IdleNtfn');
      expect(tcbOf(state, T).state._tag).toBe('Restart');
    });
  });

  // ------------------------------------------------------------ notifications

  describe('BindNotification', () => {
    it('links the thread and the notification both ways', () => {
      const { state } = run([...spawnThread(T), ntfn(), TCB.bindNotification(T, NTFN)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      const n = objPtr(state, NTFN);
      expect(tcbOf(state, T).boundNotification).toBe(n);
      expect(getNotification(state, n).boundTCB).toBe(tcbAt(state, T));
    });
    it('accepts a notification with a pending signal (Active) and a badged cap with receive right', () => {
      const { state } = run([...spawnThread(T), ntfn(), CNode.mint(COPY, NTFN, 0x3, 9), send(COPY), TCB.bindNotification(T, COPY)]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      const n = objPtr(state, NTFN);
      expect(getNotification(state, n)).toMatchObject({ boundTCB: tcbAt(state, T), state: { _tag: 'ActiveNtfn' } });
    });
    it('a signal wakes the bound thread while it waits on an endpoint, with the badge', () => {
      const { state } = run([...spawnThread(T), ntfn(), ep(), CNode.mint(COPY, NTFN, 0xf, 0x55), TCB.bindNotification(T, NTFN), yieldNow(), recv(EP), send(COPY)]);
      expect(tcbOf(state, T).state._tag).toBe('Running');
      expect(ctx(state, T)[R0]).toBe(0x55);
      const epPtr = objPtr(state, EP);
      expect(getEndpoint(state, epPtr).state._tag).toBe('IdleEP');
      const n = objPtr(state, NTFN);
      expect(getNotification(state, n).state._tag).toBe('IdleNtfn');
    });
    it('a higher-priority bound thread woken by a signal runs at once', () => {
      const { state } = run([
        ...spawnThread(T),
        ntfn(),
        ep(),
        TCB.bindNotification(T, NTFN),
        yieldNow(),
        recv(EP),
        TCB.setPriority(T, SELF, 255),
        TCB.setPriority(SELF, SELF, 100),
        send(NTFN),
      ]);
      expect(state.curThread).toBe(tcbAt(state, T));
    });
    checkErrors([
      ['no notification cap is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBBindNotification')], { label: Err.TruncatedMessage, words: [] }],
      [
        'a thread already bound is IllegalOperation',
        [...spawnThread(T), ntfn(), ntfn(NTFN2), TCB.bindNotification(T, NTFN), TCB.bindNotification(T, NTFN2)],
        { label: Err.IllegalOperation, words: [] },
      ],
      [
        'binding the same pair twice is IllegalOperation',
        [...spawnThread(T), ntfn(), TCB.bindNotification(T, NTFN), TCB.bindNotification(T, NTFN)],
        { label: Err.IllegalOperation, words: [] },
      ],
      ['an endpoint cap is IllegalOperation', [...spawnThread(T), ep(), TCB.bindNotification(T, EP)], { label: Err.IllegalOperation, words: [] }],
      ['an empty slot is IllegalOperation', [...spawnThread(T), TCB.bindNotification(T, FREE + 20)], { label: Err.IllegalOperation, words: [] }],
      [
        'a notification cap without the receive right is IllegalOperation',
        [...spawnThread(T), ntfn(), CNode.mint(COPY, NTFN, 0x1, 0), TCB.bindNotification(T, COPY)],
        { label: Err.IllegalOperation, words: [] },
      ],
      [
        'a notification bound to another thread is IllegalOperation',
        [...spawnThread(T), ...spawnThread(U), ntfn(), TCB.bindNotification(U, NTFN), TCB.bindNotification(T, NTFN)],
        { label: Err.IllegalOperation, words: [] },
      ],
      [
        'a notification with a waiting thread is IllegalOperation',
        [...spawnThread(U, { suspended: true }), ...spawnThread(T), ntfn(), yieldNow(), recv(NTFN), TCB.bindNotification(U, NTFN)],
        { label: Err.IllegalOperation, words: [] },
      ],
    ]);
    it('the waiting-thread case really had a waiter', () => {
      const { state } = run([...spawnThread(U, { suspended: true }), ...spawnThread(T), ntfn(), yieldNow(), recv(NTFN)]);
      expect(state.curThread).toBe(ROOT);
      const n = objPtr(state, NTFN);
      expect(getNotification(state, n).state).toEqual({ _tag: 'WaitingNtfn', queue: [tcbAt(state, T)] });
    });
    it('a refused bind links nothing', () => {
      const { state } = run([...spawnThread(T), ...spawnThread(U), ntfn(), TCB.bindNotification(U, NTFN), TCB.bindNotification(T, NTFN)]);
      expect(tcbOf(state, T).boundNotification).toBeNull();
      const n = objPtr(state, NTFN);
      expect(getNotification(state, n).boundTCB).toBe(tcbAt(state, U));
    });
  });

  describe('UnbindNotification', () => {
    it('clears both links', () => {
      const { state } = run([...spawnThread(T), ntfn(), TCB.bindNotification(T, NTFN), TCB.unbindNotification(T)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      const n = objPtr(state, NTFN);
      expect(tcbOf(state, T).boundNotification).toBeNull();
      expect(getNotification(state, n).boundTCB).toBeNull();
    });
    it('the notification can then be bound to another thread', () => {
      const { state } = run([...spawnThread(T), ...spawnThread(U), ntfn(), TCB.bindNotification(T, NTFN), TCB.unbindNotification(T), TCB.bindNotification(U, NTFN)]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(tcbOf(state, U).boundNotification).toBe(objPtr(state, NTFN));
    });
    it('after unbinding, a signal no longer wakes the thread from its endpoint wait', () => {
      const { state } = run([...spawnThread(T), ntfn(), ep(), TCB.bindNotification(T, NTFN), yieldNow(), recv(EP), TCB.unbindNotification(T), send(NTFN)]);
      expect(tcbOf(state, T).state._tag).toBe('BlockedOnReceive');
      const n = objPtr(state, NTFN);
      expect(getNotification(state, n).state._tag).toBe('ActiveNtfn');
    });
    checkErrors([
      ['a thread with no bound notification is IllegalOperation', [...spawnThread(T), TCB.unbindNotification(T)], { label: Err.IllegalOperation, words: [] }],
      [
        'unbinding twice is IllegalOperation',
        [...spawnThread(T), ntfn(), TCB.bindNotification(T, NTFN), TCB.unbindNotification(T), TCB.unbindNotification(T)],
        { label: Err.IllegalOperation, words: [] },
      ],
      ['the root thread has no bound notification: IllegalOperation', [TCB.unbindNotification(SELF)], { label: Err.IllegalOperation, words: [] }],
    ]);
  });

  // ------------------------------------------------------------ TLS base and flags

  describe('SetTLSBase', () => {
    it('sets TPIDRURW of the thread and nothing else', () => {
      const { state } = run([...spawnThread(T, { suspended: true }), TCB.writeRegisters(T, false, 0, VALUES.length, VALUES), TCB.setTLSBase(T, 0xcafe_f00d)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(ctx(state, T)[TPIDRURW]).toBe(0xcafe_f00d);
      expect(userRegs(state, T)).toEqual(WRITTEN.map((v, i) => (USER_ORDER[i] === TPIDRURW ? 0xcafe_f00d : v)));
    });
    it('is what ReadRegisters reports as the 18th register', () => {
      const { state } = run([...spawnThread(T), TCB.setTLSBase(T, 0x1234_5678), TCB.readRegisters(T, false, 0, 18)]);
      expect(replyOf(state).words[17]).toBe(0x1234_5678);
    });
    it("may set the current thread's own TLS base; it keeps running", () => {
      const { state } = run([TCB.setTLSBase(SELF, 0xabc)]);
      expect(getTCB(state, ROOT).context[TPIDRURW]).toBe(0xabc);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(state.curThread).toBe(ROOT);
    });
    checkErrors([['an empty message is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBSetTLSBase')], { label: Err.TruncatedMessage, words: [] }]]);
  });

  describe('SetFlags', () => {
    it('replies with the new flags word; without an FPU no flag can be set', () => {
      const { state } = run([...spawnThread(T), TCB.setFlags(T, 0, 1)]);
      expect(replyOf(state)).toEqual({ badge: 0, label: 0, length: 1, words: [0] });
      expect(tcbOf(state, T).flags).toBe(0);
    });
    it('clearing flags that are not set leaves zero', () => {
      const { state } = run([...spawnThread(T), TCB.setFlags(T, 0xffff_ffff, 0xffff_ffff)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 1, words: [0] });
    });
    it('sent without Call, the caller gets no reply', () => {
      const { state } = run([...spawnThread(T), invoke(T, 'TCBSetFlags', [0, 1], [], SysSend)]);
      expect(replyOf(state)).toMatchObject({ label: LABEL.TCBSetFlags, length: 2, words: [0, 1] });
    });
    it('works on the current thread', () => {
      const { state } = run([TCB.setFlags(SELF, 0, 1)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 1, words: [0] });
      expect(getTCB(state, ROOT).flags).toBe(0);
    });
    checkErrors([
      ['an empty message is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBSetFlags')], { label: Err.TruncatedMessage, words: [] }],
      ['a one-word message is TruncatedMessage', [...spawnThread(T), invoke(T, 'TCBSetFlags', [1])], { label: Err.TruncatedMessage, words: [] }],
    ]);
  });
});
