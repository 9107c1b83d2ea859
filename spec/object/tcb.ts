/**
 * Thread control blocks: their invocations (registers, scheduling parameters,
 * CSpace / VSpace / IPC buffer, suspend and resume, notification binding, TLS
 * base and flags), each decoded with every check in seL4's order, and
 * `restart`, which (re)starts a stopped thread with its reply master in place.
 *
 * seL4: Haskell Object/TCB.lhs (decodeTCBInvocation, invokeTCB),
 * Kernel/Thread.lhs (restart); abstract spec Tcb_A.thy, Decode_A.thy
 * (decode_tcb_invocation); C src/object/tcb.c.
 */
import * as E from 'fp-ts/Either';
import { flow, identity, pipe } from 'fp-ts/function';

import { type SyscallError, alignmentError, illegalOperation, invalidCapability, rangeError, truncatedMessage } from '../api/errors';
import { type InvocationLabel, invocationLabelOf } from '../api/invocationLabel';
import { FAULT_IP, FRAME_REGISTERS, GP_REGISTERS, IPC_BUFFER_SIZE_BITS, NEXT_IP, TCB_FLAG_MASK, TPIDRURW, USER_REGISTERS, sanitiseRegister } from '../api';
import { mask } from '../api/word';
import { sameObjectAs, updateCapData } from '../model/capability';
import { type Transition, getCap, getNotification, getTCB, setCap, slotOf, updateTCB } from '../model/heap';
import { cdtSetOriginal } from '../model/cdt';
import { type Performed, type Preemptible, andThen, completed, withoutPreemption } from '../model/preemption';
import type { KernelState } from '../model/state';
import { type Cap, type PPtr, type SlotPtr, TCB_BUFFER, TCB_CTABLE, TCB_REPLY, TCB_VTABLE, isStopped, restart as restartState } from '../model/structures';
import { type CapAndSlot, deriveCap, isFinalCapability } from '../kernel/cspace';
import {
  getRegister,
  getThreadState,
  possibleSwitchTo,
  rescheduleIfCurrent,
  setMCPriority,
  setPriority,
  setRegister,
  setRegisters,
  setThreadState,
  tcbSchedEnqueue,
} from '../kernel/thread';
import { cteDelete, cteInsert } from './cnode';
import { cancelIPC, suspend, unbindNotification } from './ipcCancel';
import { bindNotification } from './notification';

// ---------------------------------------------------------------- restart

/** `setupReplyMaster`: a thread about to run gets its reply master, an original with no parent. */
export const setupReplyMaster =
  (t: PPtr): Transition =>
  (s) => {
    const slot = slotOf(t, TCB_REPLY);
    if (getCap(s, slot)._tag !== 'NullCap') return s;
    return pipe(s, setCap(slot, { _tag: 'ReplyCap', tcb: t, master: true, canGrant: true }), cdtSetOriginal(slot, true));
  };

/** `restart`: a stopped thread abandons what it waited for and runs its syscall again. */
export const restart =
  (t: PPtr): Transition =>
  (s) => {
    if (!isStopped(getThreadState(s, t))) return s;
    return pipe(s, cancelIPC(t), setupReplyMaster(t), setThreadState(restartState, t), tcbSchedEnqueue(t), possibleSwitchTo(t));
  };

// ---------------------------------------------------------------- decode

export interface NewRoot {
  readonly cap: Cap;
  readonly slot: SlotPtr;
}

/** A new IPC buffer address, and the frame cap to install (null for address 0: no buffer frame). */
export interface IPCBufferChange {
  readonly addr: number;
  readonly frame: NewRoot | null;
}

/** ThreadControl with nothing to change: the decoders fill in what the invocation sets. */
const unchanged = { faultEP: null, mcp: null, priority: null, space: null, buffer: null } as const;

export type TCBInvocation =
  | { readonly _tag: 'ReadRegisters'; readonly src: PPtr; readonly suspend: boolean; readonly n: number }
  | { readonly _tag: 'WriteRegisters'; readonly dest: PPtr; readonly resume: boolean; readonly values: readonly number[] }
  | {
      readonly _tag: 'CopyRegisters';
      readonly dest: PPtr;
      readonly src: PPtr;
      readonly suspendSource: boolean;
      readonly resumeTarget: boolean;
      readonly transferFrame: boolean;
      readonly transferInteger: boolean;
    }
  | { readonly _tag: 'Suspend'; readonly t: PPtr }
  | { readonly _tag: 'Resume'; readonly t: PPtr }
  | {
      readonly _tag: 'ThreadControl';
      readonly target: PPtr;
      /** The slot of the invoked TCB cap: the new caps go in only if it still holds the thread. */
      readonly slot: SlotPtr;
      /** Each field below is null when the invocation leaves it alone. Set with the space (C's thread_control_update_space). */
      readonly faultEP: number | null;
      readonly mcp: number | null;
      readonly priority: number | null;
      readonly space: { readonly cRoot: NewRoot; readonly vRoot: NewRoot } | null;
      readonly buffer: IPCBufferChange | null;
    }
  | { readonly _tag: 'NotificationControl'; readonly t: PPtr; readonly ntfn: PPtr | null }
  | { readonly _tag: 'SetTLSBase'; readonly t: PPtr; readonly base: number }
  | { readonly _tag: 'SetFlags'; readonly t: PPtr; readonly clear: number; readonly set: number };

const N_USER_REGISTERS = USER_REGISTERS.length;

/** `checkPrio`: a priority above the authority's MCP is a RangeError up to that MCP. */
const checkPrio = (s: KernelState, prio: number, auth: PPtr): E.Either<SyscallError, void> => {
  const mcp = getTCB(s, auth).mcp;
  return prio > mcp ? E.left(rangeError(0, mcp)) : E.right(undefined);
};

/** Extra cap 0 names a thread (the MCP authority, or CopyRegisters' source): missing is TruncatedMessage, another cap InvalidCapability 1. */
const threadArgument = (extraCaps: readonly CapAndSlot[]): E.Either<SyscallError, PPtr> => {
  const c = extraCaps[0];
  if (c === undefined) return E.left(truncatedMessage);
  return c.cap._tag === 'ThreadCap' ? E.right(c.cap.tcb) : E.left(invalidCapability(1));
};

/** The first `n` arguments as priorities (SetPriority, SetMCPriority, SetSchedParams), each within the authority's MCP, in order. */
const checkPriorities = (s: KernelState, args: readonly number[], n: number, extraCaps: readonly CapAndSlot[]): E.Either<SyscallError, void> => {
  if (args.length < n) return E.left(truncatedMessage);
  return pipe(
    threadArgument(extraCaps),
    E.flatMap((auth) => E.traverseArray((prio: number) => checkPrio(s, prio, auth))(args.slice(0, n))),
    E.map(() => undefined),
  );
};

/** `checkValidIPCBuffer`: a non-device frame and a 512-byte aligned address. */
const checkValidIPCBuffer = (vptr: number, cap: Cap): E.Either<SyscallError, void> => {
  if (cap._tag !== 'FrameCap' || cap.isDevice) return E.left(illegalOperation);
  return (vptr & mask(IPC_BUFFER_SIZE_BITS)) !== 0 ? E.left(alignmentError) : E.right(undefined);
};

/** `slotCapLongRunningDelete`: replacing this root would need a long-running delete. */
const longRunningDelete = (s: KernelState, slot: SlotPtr): boolean => {
  const c = getCap(s, slot);
  if (c._tag === 'NullCap' || !isFinalCapability(s, slot)) return false;
  return c._tag === 'ThreadCap' || c._tag === 'ZombieCap' || c._tag === 'CNodeCap';
};

const isValidVTableRoot = (c: Cap): boolean => c._tag === 'PageDirectoryCap' && c.mappedASID !== null;

const decodeSetIPCBuffer = (s: KernelState, addr: number, frame: CapAndSlot): E.Either<SyscallError, IPCBufferChange> => {
  if (addr === 0) return E.right({ addr, frame: null });
  return pipe(
    deriveCap(s, frame.slot, frame.cap),
    E.flatMap((cap) =>
      pipe(
        checkValidIPCBuffer(addr, cap),
        E.map(() => ({ addr, frame: { cap, slot: frame.slot } })),
      ),
    ),
  );
};

const decodeSetSpace = (
  s: KernelState,
  t: PPtr,
  cRootData: number,
  vRootData: number,
  cRoot: CapAndSlot,
  vRoot: CapAndSlot,
): E.Either<SyscallError, { cRoot: NewRoot; vRoot: NewRoot }> => {
  if (longRunningDelete(s, slotOf(t, TCB_CTABLE)) || longRunningDelete(s, slotOf(t, TCB_VTABLE))) return E.left(illegalOperation);
  const withData = (c: Cap, data: number) => (data === 0 ? c : updateCapData(false, data, c));
  return pipe(
    E.Do,
    E.bind('c', () => deriveCap(s, cRoot.slot, withData(cRoot.cap, cRootData))),
    E.flatMap(({ c }) => (c._tag === 'CNodeCap' ? E.right(c) : E.left(illegalOperation))),
    E.bindTo('c'),
    E.bind('v', () => deriveCap(s, vRoot.slot, withData(vRoot.cap, vRootData))),
    E.flatMap(({ c, v }) => (isValidVTableRoot(v) ? E.right({ cRoot: { cap: c, slot: cRoot.slot }, vRoot: { cap: v, slot: vRoot.slot } }) : E.left(illegalOperation))),
  );
};

/** `decodeTCBInvocation`: check a TCB invocation's label, arguments and caps, in seL4's order. */
export const decodeTCBInvocation = (
  s: KernelState,
  labelWord: number,
  args: readonly number[],
  cap: Cap,
  slot: SlotPtr,
  extraCaps: readonly CapAndSlot[],
): E.Either<SyscallError, TCBInvocation> => {
  if (cap._tag !== 'ThreadCap') return E.left(illegalOperation);
  const t = cap.tcb;
  const label: InvocationLabel = invocationLabelOf(labelWord);
  const a = (i: number) => args[i] ?? 0;
  switch (label) {
    case 'TCBReadRegisters': {
      if (args.length < 2) return E.left(truncatedMessage);
      const n = a(1);
      if (n < 1 || n > N_USER_REGISTERS) return E.left(rangeError(1, N_USER_REGISTERS));
      if (t === s.curThread) return E.left(illegalOperation);
      return E.right({ _tag: 'ReadRegisters', src: t, suspend: (a(0) & 1) !== 0, n });
    }
    case 'TCBWriteRegisters': {
      if (args.length < 2) return E.left(truncatedMessage);
      const n = a(1);
      if (args.length - 2 < n) return E.left(truncatedMessage);
      if (t === s.curThread) return E.left(illegalOperation);
      return E.right({ _tag: 'WriteRegisters', dest: t, resume: (a(0) & 1) !== 0, values: args.slice(2, 2 + n) });
    }
    case 'TCBCopyRegisters': {
      if (args.length < 1) return E.left(truncatedMessage);
      const src = threadArgument(extraCaps);
      if (E.isLeft(src)) return src;
      const f = a(0);
      return E.right({
        _tag: 'CopyRegisters',
        dest: t,
        src: src.right,
        suspendSource: (f & 1) !== 0,
        resumeTarget: (f & 2) !== 0,
        transferFrame: (f & 4) !== 0,
        transferInteger: (f & 8) !== 0,
      });
    }
    case 'TCBSuspend':
      return E.right({ _tag: 'Suspend', t });
    case 'TCBResume':
      return E.right({ _tag: 'Resume', t });
    case 'TCBConfigure': {
      const [cRoot, vRoot, frame] = extraCaps;
      if (args.length < 4 || cRoot === undefined || vRoot === undefined || frame === undefined) return E.left(truncatedMessage);
      return pipe(
        E.Do,
        E.bind('buffer', () => decodeSetIPCBuffer(s, a(3), frame)),
        E.bind('space', () => decodeSetSpace(s, t, a(1), a(2), cRoot, vRoot)),
        E.map(({ buffer, space }): TCBInvocation => ({
          _tag: 'ThreadControl',
          target: t,
          slot,
          ...unchanged,
          faultEP: a(0),
          space,
          buffer,
        })),
      );
    }
    case 'TCBSetPriority':
    case 'TCBSetMCPriority': {
      return pipe(
        checkPriorities(s, args, 1, extraCaps),
        E.map((): TCBInvocation =>
          label === 'TCBSetPriority'
            ? { _tag: 'ThreadControl', target: t, slot: 0, ...unchanged, priority: a(0) }
            : { _tag: 'ThreadControl', target: t, slot: 0, ...unchanged, mcp: a(0) },
        ),
      );
    }
    case 'TCBSetSchedParams': {
      // The new MCP, then the new priority.
      return pipe(
        checkPriorities(s, args, 2, extraCaps),
        E.map((): TCBInvocation => ({ _tag: 'ThreadControl', target: t, slot: 0, ...unchanged, mcp: a(0), priority: a(1) })),
      );
    }
    case 'TCBSetIPCBuffer': {
      const frame = extraCaps[0];
      if (args.length < 1 || frame === undefined) return E.left(truncatedMessage);
      return pipe(
        decodeSetIPCBuffer(s, a(0), frame),
        E.map((buffer): TCBInvocation => ({ _tag: 'ThreadControl', target: t, slot, ...unchanged, buffer })),
      );
    }
    case 'TCBSetSpace': {
      const [cRoot, vRoot] = extraCaps;
      if (args.length < 3 || cRoot === undefined || vRoot === undefined) return E.left(truncatedMessage);
      return pipe(
        decodeSetSpace(s, t, a(1), a(2), cRoot, vRoot),
        E.map((space): TCBInvocation => ({ _tag: 'ThreadControl', target: t, slot, ...unchanged, faultEP: a(0), space })),
      );
    }
    case 'TCBBindNotification': {
      const n = extraCaps[0];
      if (n === undefined) return E.left(truncatedMessage);
      if (getTCB(s, t).boundNotification !== null) return E.left(illegalOperation);
      if (n.cap._tag !== 'NotificationCap' || !n.cap.canReceive) return E.left(illegalOperation);
      const ntfn = getNotification(s, n.cap.ptr);
      if (ntfn.boundTCB !== null || ntfn.state._tag === 'WaitingNtfn') return E.left(illegalOperation);
      return E.right({ _tag: 'NotificationControl', t, ntfn: n.cap.ptr });
    }
    case 'TCBUnbindNotification':
      return getTCB(s, t).boundNotification === null ? E.left(illegalOperation) : E.right({ _tag: 'NotificationControl', t, ntfn: null });
    case 'TCBSetTLSBase':
      return args.length < 1 ? E.left(truncatedMessage) : E.right({ _tag: 'SetTLSBase', t, base: a(0) });
    case 'TCBSetFlags':
      return args.length < 2 ? E.left(truncatedMessage) : E.right({ _tag: 'SetFlags', t, clear: a(0), set: a(1) });
    default:
      return E.left(illegalOperation);
  }
};

// ---------------------------------------------------------------- perform

const done = (state: KernelState, reply: readonly number[] = []): Performed => ({ state, preempted: false, reply });

/** The new cap goes into the thread's slot only if its source still holds it and the invoked slot still holds the thread (seL4's checkCapAt). */
const insertIfStillHeld =
  (target: PPtr, invokedSlot: SlotPtr, root: NewRoot, destSlot: SlotPtr): Transition =>
  (s) => {
    const tCap: Cap = { _tag: 'ThreadCap', tcb: target };
    const still = sameObjectAs(root.cap, getCap(s, root.slot)) && sameObjectAs(tCap, getCap(s, invokedSlot));
    return still ? cteInsert(root.cap, root.slot, destSlot)(s) : s;
  };

/** Replace one of the thread's root slots: delete the old cap, insert the new if its source still holds it. */
const replaceRoot = (target: PPtr, tcbSlot: number, invokedSlot: SlotPtr, root: NewRoot): ((s: KernelState) => Preemptible) => {
  const rootSlot = slotOf(target, tcbSlot);
  return flow(cteDelete(rootSlot, true), andThen(withoutPreemption(insertIfStillHeld(target, invokedSlot, root, rootSlot))));
};

/** ThreadControl's buffer change: delete the old frame cap, set the address, insert the new frame cap if still held. */
const replaceIPCBuffer = (target: PPtr, invokedSlot: SlotPtr, buffer: IPCBufferChange): ((s: KernelState) => Preemptible) => {
  const bufferSlot = slotOf(target, TCB_BUFFER);
  return flow(
    cteDelete(bufferSlot, true),
    andThen(
      withoutPreemption(
        flow(
          updateTCB(target, (t) => ({ ...t, ipcBuffer: buffer.addr })),
          buffer.frame === null ? identity : insertIfStillHeld(target, invokedSlot, buffer.frame, bufferSlot),
          rescheduleIfCurrent(target),
        ),
      ),
    ),
  );
};

/** `getRestartPC >>= setNextPC`: the thread resumes at its restart point. */
const resumeAtRestartPC =
  (t: PPtr): Transition =>
  (s) =>
    setRegister(t, NEXT_IP, getRegister(s, t, FAULT_IP))(s);

/** Copy registers from src to dest (read in the current state, as seL4 does register by register). */
const copyRegisters =
  (src: PPtr, dest: PPtr, regs: readonly number[]): Transition =>
  (s) =>
    setRegisters(
      dest,
      regs,
      regs.map((r) => getRegister(s, src, r)),
    )(s);

/** `invokeTCB`: perform a decoded TCB invocation; ThreadControl may be preempted while deleting. */
export const invokeTCB =
  (inv: TCBInvocation) =>
  (s0: KernelState): Performed => {
    switch (inv._tag) {
      case 'Suspend':
        return pipe(s0, suspend(inv.t), done);
      case 'Resume':
        return pipe(s0, restart(inv.t), done);
      case 'ReadRegisters': {
        const s = pipe(s0, inv.suspend ? suspend(inv.src) : identity);
        const regs = USER_REGISTERS.slice(0, inv.n);
        return done(
          s,
          regs.map((r) => getRegister(s, inv.src, r)),
        );
      }
      case 'WriteRegisters': {
        const regs = USER_REGISTERS.slice(0, inv.values.length);
        return pipe(
          s0,
          setRegisters(
            inv.dest,
            regs,
            inv.values.map((v, i) => sanitiseRegister(regs[i] ?? 0, v)),
          ),
          resumeAtRestartPC(inv.dest),
          inv.resume ? restart(inv.dest) : identity,
          rescheduleIfCurrent(inv.dest),
          done,
        );
      }
      case 'CopyRegisters':
        return pipe(
          s0,
          inv.suspendSource ? suspend(inv.src) : identity,
          inv.resumeTarget ? restart(inv.dest) : identity,
          inv.transferFrame ? flow(copyRegisters(inv.src, inv.dest, FRAME_REGISTERS), resumeAtRestartPC(inv.dest)) : identity,
          inv.transferInteger ? copyRegisters(inv.src, inv.dest, GP_REGISTERS) : identity,
          rescheduleIfCurrent(inv.dest),
          done,
        );
      case 'ThreadControl': {
        const { target, slot, space, buffer, mcp, priority } = inv;
        return pipe(
          s0,
          space === null ? identity : updateTCB(target, (t) => ({ ...t, faultHandler: inv.faultEP ?? 0 })),
          mcp === null ? identity : setMCPriority(target, mcp),
          completed,
          andThen(space === null ? completed : flow(replaceRoot(target, TCB_CTABLE, slot, space.cRoot), andThen(replaceRoot(target, TCB_VTABLE, slot, space.vRoot)))),
          andThen(buffer === null ? completed : replaceIPCBuffer(target, slot, buffer)),
          andThen(withoutPreemption(priority === null ? identity : setPriority(target, priority))),
          (r): Performed => ({ ...r, reply: [] }),
        );
      }
      case 'NotificationControl':
        return pipe(s0, inv.ntfn === null ? unbindNotification(inv.t) : bindNotification(inv.t, inv.ntfn), done);
      case 'SetTLSBase':
        return pipe(s0, setRegister(inv.t, TPIDRURW, inv.base), rescheduleIfCurrent(inv.t), done);
      case 'SetFlags': {
        const flags = ((getTCB(s0, inv.t).flags & ~inv.clear) | (inv.set & TCB_FLAG_MASK)) >>> 0;
        return done(updateTCB(inv.t, (t) => ({ ...t, flags }))(s0), [flags]);
      }
    }
  };
