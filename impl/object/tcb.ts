/**
 * TCB invocations on the packed kernel, split as C splits them: the decode of
 * each label does every check, sets the caller to Restart and calls the
 * invoke that performs it; ReadRegisters and SetFlags write their own reply.
 *
 * Names and argument order are C's (decodeX, invokeTCB_X; `arg` for C's
 * buffer); the spec twin's are Haskell's (one decode into a TCBInvocation, one invokeTCB).
 *
 * seL4: C src/object/tcb.c; spec twin: spec/object/tcb.ts.
 */
import {
  FAULT_IP,
  FRAME_REGISTERS,
  GP_REGISTERS,
  IPC_BUFFER_SIZE_BITS,
  MSG_INFO_REGISTER,
  NEXT_IP,
  TCB_FLAG_MASK,
  TPIDRURW,
  BADGE_REGISTER,
  USER_REGISTERS,
  TCB_CTABLE,
  TCB_VTABLE,
  TCB_REPLY,
  TCB_BUFFER,
  LABEL,
} from '../../spec/api';
import { tableAt } from '../model/memory';
import { messageInfoNew, sanitiseRegister } from '../model/abi';
import { Cap, CapTag, type CapT, NTFN_WAITING, Notification, TS, Tcb, capGet, capType } from '../model/layout';
import { getRegister, getSlotCap, objGet, originalMdbNode, setMdbNode, setRegister, setSlotCap, slotPtr, tcbGet, tcbSet, threadStateType } from '../model/heap';
import { frameIsDevice, isFrameCap, replyCapNew, sameObjectAs, threadCapNew, updateCapData } from '../model/capability';
import { EXCEPTION_NONE, type Exception, type Kernel, syscallError } from '../model/state';
import { deriveCap, isFinalCapability } from '../kernel/cspace';
import { setMR } from '../kernel/message';
import { possibleSwitchTo, rescheduleRequired, setMCPriority, setPriority, setThreadState, tcbSchedEnqueue } from '../kernel/thread';
import { lookupIPCBuffer } from '../kernel/vspace';
import { cteDelete, cteInsert } from './cnode';
import { cancelIPC, suspend, unbindNotification } from './ipcCancel';
import { bindNotification } from './notification';

// ---------------------------------------------------------------- restart

export const setupReplyMaster = (k: Kernel, t: number): void => {
  const slot = slotPtr(t, TCB_REPLY);
  if (capType(getSlotCap(k, slot)) !== CapTag.Null) return;
  setSlotCap(k, slot, replyCapNew(t, true, true));
  setMdbNode(k, slot, originalMdbNode);
};

const isStopped = (k: Kernel, t: number): boolean => {
  const ts = threadStateType(k, t);
  return ts === TS.Inactive || ts === TS.BlockedOnReceive || ts === TS.BlockedOnSend || ts === TS.BlockedOnReply || ts === TS.BlockedOnNotification;
};

export const restart = (k: Kernel, t: number): void => {
  if (!isStopped(k, t)) return;
  cancelIPC(k, t);
  setupReplyMaster(k, t);
  setThreadState(k, t, TS.Restart);
  tcbSchedEnqueue(k, t);
  possibleSwitchTo(k, t);
};

// ---------------------------------------------------------------- checks

/** A cap to install in one of the thread's slots, and the slot it is copied from. */
export interface NewCap {
  readonly cap: CapT;
  readonly slot: number;
}

/**
 * What invokeTCB_ThreadControl changes, as the spec twin's record has it: a
 * null field is left alone (C passes the same as 13 arguments and a
 * thread_control_flag_t of the fields to update).
 */
export interface ThreadControl {
  /** Set with the space (C's thread_control_update_space). */
  readonly faultEP: number | null;
  readonly mcp: number | null;
  readonly priority: number | null;
  readonly space: { readonly cRoot: NewCap; readonly vRoot: NewCap } | null;
  /** The new buffer address, with the frame cap (null for address 0: the slot is emptied). */
  readonly buffer: { readonly addr: number; readonly frame: NewCap | null } | null;
}

/** ThreadControl with nothing to change: the decoders fill in what the invocation sets. */
const unchanged: ThreadControl = { faultEP: null, mcp: null, priority: null, space: null, buffer: null };

const checkPrio = (k: Kernel, prio: number, auth: number): Exception => {
  const mcp = tcbGet(k, auth, Tcb.mcp);
  return prio > mcp ? syscallError(k, { _tag: 'RangeError', min: 0, max: mcp }) : EXCEPTION_NONE;
};

/** `checkValidIPCBuffer` (C's is in the arch vspace.c): a non-device frame and an aligned address. */
const checkValidIPCBuffer = (k: Kernel, vptr: number, cap: CapT): Exception => {
  if (!isFrameCap(cap) || frameIsDevice(cap)) return syscallError(k, { _tag: 'IllegalOperation' });
  if ((vptr & ((1 << IPC_BUFFER_SIZE_BITS) - 1)) !== 0) return syscallError(k, { _tag: 'AlignmentError' });
  return EXCEPTION_NONE;
};

/** `isValidVTableRoot` (C's is in the arch vspace.c): a page directory with an ASID. */
const isValidVTableRoot = (cap: CapT): boolean => capType(cap) === CapTag.PageDirectory && capGet(cap, Cap.PageDirectory.isMapped) === 1;

const slotCapLongRunningDelete = (k: Kernel, slot: number): boolean => {
  const t = capType(getSlotCap(k, slot));
  if (t === CapTag.Null || !isFinalCapability(k, slot)) return false;
  return t === CapTag.Thread || t === CapTag.Zombie || t === CapTag.CNode;
};

// ---------------------------------------------------------------- decode

/** TCB_SetTLSBase's decode (C's static decodeSetTLSBase). */
const decodeSetTLSBase = (k: Kernel, cap: CapT, length: number, arg: (i: number) => number): Exception => {
  if (length < 1) return syscallError(k, { _tag: 'TruncatedMessage' });
  const tlsBase = arg(0);
  setThreadState(k, k.ksCurThread, TS.Restart);
  return invokeSetTLSBase(k, capGet(cap, Cap.Thread.tcb), tlsBase);
};

/** TCB_SetFlags's decode (C's static decodeSetFlags). */
const decodeSetFlags = (k: Kernel, cap: CapT, length: number, call: boolean, arg: (i: number) => number): Exception => {
  const thread = capGet(cap, Cap.Thread.tcb);
  if (length < 2) return syscallError(k, { _tag: 'TruncatedMessage' });
  const clear = arg(0);
  const set = arg(1);
  setThreadState(k, k.ksCurThread, TS.Restart);
  invokeSetFlags(k, thread, clear, set, call);
  return EXCEPTION_NONE;
};

export const decodeTCBInvocation = (k: Kernel, label: number, length: number, cap: CapT, slot: number, call: boolean, arg: (i: number) => number): Exception => {
  switch (label) {
    case LABEL.TCBReadRegisters:
      return decodeReadRegisters(k, cap, length, call, arg);
    case LABEL.TCBWriteRegisters:
      return decodeWriteRegisters(k, cap, length, arg);
    case LABEL.TCBCopyRegisters:
      return decodeCopyRegisters(k, cap, length, arg);
    case LABEL.TCBSuspend:
      setThreadState(k, k.ksCurThread, TS.Restart);
      return invokeTCB_Suspend(k, capGet(cap, Cap.Thread.tcb));
    case LABEL.TCBResume:
      setThreadState(k, k.ksCurThread, TS.Restart);
      return invokeTCB_Resume(k, capGet(cap, Cap.Thread.tcb));
    case LABEL.TCBConfigure:
      return decodeTCBConfigure(k, cap, length, slot, arg);
    case LABEL.TCBSetPriority:
      return decodeSetPriority(k, cap, length, arg);
    case LABEL.TCBSetMCPriority:
      return decodeSetMCPriority(k, cap, length, arg);
    case LABEL.TCBSetSchedParams:
      return decodeSetSchedParams(k, cap, length, arg);
    case LABEL.TCBSetIPCBuffer:
      return decodeSetIPCBuffer(k, cap, length, slot, arg);
    case LABEL.TCBSetSpace:
      return decodeSetSpace(k, cap, length, slot, arg);
    case LABEL.TCBBindNotification:
      return decodeBindNotification(k, cap);
    case LABEL.TCBUnbindNotification:
      return decodeUnbindNotification(k, cap);
    case LABEL.TCBSetTLSBase:
      return decodeSetTLSBase(k, cap, length, arg);
    case LABEL.TCBSetFlags:
      return decodeSetFlags(k, cap, length, call, arg);
    default:
      return syscallError(k, { _tag: 'IllegalOperation' });
  }
};

export const decodeCopyRegisters = (k: Kernel, cap: CapT, length: number, arg: (i: number) => number): Exception => {
  const sourceSlot = k.currentExtraCaps[0];
  if (length < 1 || sourceSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
  const flags = arg(0);
  const sourceCap = getSlotCap(k, sourceSlot);
  if (capType(sourceCap) !== CapTag.Thread) return syscallError(k, { _tag: 'InvalidCapability', capIndex: 1 });
  const srcTCB = capGet(sourceCap, Cap.Thread.tcb);
  setThreadState(k, k.ksCurThread, TS.Restart);
  return invokeTCB_CopyRegisters(k, capGet(cap, Cap.Thread.tcb), srcTCB, (flags & 1) !== 0, (flags & 2) !== 0, (flags & 4) !== 0, (flags & 8) !== 0);
};

export const decodeReadRegisters = (k: Kernel, cap: CapT, length: number, call: boolean, arg: (i: number) => number): Exception => {
  if (length < 2) return syscallError(k, { _tag: 'TruncatedMessage' });
  const flags = arg(0);
  const n = arg(1);
  if (n < 1 || n > USER_REGISTERS.length) return syscallError(k, { _tag: 'RangeError', min: 1, max: USER_REGISTERS.length });
  const thread = capGet(cap, Cap.Thread.tcb);
  if (thread === k.ksCurThread) return syscallError(k, { _tag: 'IllegalOperation' });
  setThreadState(k, k.ksCurThread, TS.Restart);
  return invokeTCB_ReadRegisters(k, thread, (flags & 1) !== 0, n, call);
};

export const decodeWriteRegisters = (k: Kernel, cap: CapT, length: number, arg: (i: number) => number): Exception => {
  if (length < 2) return syscallError(k, { _tag: 'TruncatedMessage' });
  const flags = arg(0);
  const w = arg(1);
  if (length - 2 < w) return syscallError(k, { _tag: 'TruncatedMessage' });
  const thread = capGet(cap, Cap.Thread.tcb);
  if (thread === k.ksCurThread) return syscallError(k, { _tag: 'IllegalOperation' });
  setThreadState(k, k.ksCurThread, TS.Restart);
  return invokeTCB_WriteRegisters(k, thread, (flags & 1) !== 0, w, arg);
};

/** The IPC buffer cap a Configure or SetIPCBuffer names (extra cap `slot`), derived and checked; none (slot 0) for address 0. */
const decodeIPCBuffer = (k: Kernel, bufferAddr: number, slot: number): { status: Exception; frame: NewCap | null } => {
  if (bufferAddr === 0) return { status: EXCEPTION_NONE, frame: null };
  const dc = deriveCap(k, slot, getSlotCap(k, slot));
  if (dc.status !== EXCEPTION_NONE) return { status: dc.status, frame: null };
  return { status: checkValidIPCBuffer(k, bufferAddr, dc.cap), frame: { cap: dc.cap, slot } };
};

/**
 * The CSpace and VSpace roots a Configure or SetSpace installs: refused while
 * the thread's current roots would need a long-running delete; each root cap
 * takes its data word (if non-zero), is derived and must be a CNode or a valid
 * VTable root.
 */
const decodeSpaceRoots = (
  k: Kernel,
  t: number,
  cRootSlot: number,
  cRootData: number,
  vRootSlot: number,
  vRootData: number,
): { status: Exception; space: ThreadControl['space'] } => {
  const failed = (status: Exception) => ({ status, space: null });
  if (slotCapLongRunningDelete(k, slotPtr(t, TCB_CTABLE)) || slotCapLongRunningDelete(k, slotPtr(t, TCB_VTABLE))) return failed(syscallError(k, { _tag: 'IllegalOperation' }));
  const cRoot = getSlotCap(k, cRootSlot);
  const dc = deriveCap(k, cRootSlot, cRootData !== 0 ? updateCapData(false, cRootData, cRoot) : cRoot);
  if (dc.status !== EXCEPTION_NONE) return failed(dc.status);
  if (capType(dc.cap) !== CapTag.CNode) return failed(syscallError(k, { _tag: 'IllegalOperation' }));
  const vRoot = getSlotCap(k, vRootSlot);
  const dv = deriveCap(k, vRootSlot, vRootData !== 0 ? updateCapData(false, vRootData, vRoot) : vRoot);
  if (dv.status !== EXCEPTION_NONE) return failed(dv.status);
  if (!isValidVTableRoot(dv.cap)) return failed(syscallError(k, { _tag: 'IllegalOperation' }));
  return { status: EXCEPTION_NONE, space: { cRoot: { cap: dc.cap, slot: cRootSlot }, vRoot: { cap: dv.cap, slot: vRootSlot } } };
};

/** TCBConfigure batches SetIPCBuffer and SetSpace. */
export const decodeTCBConfigure = (k: Kernel, cap: CapT, length: number, slot: number, arg: (i: number) => number): Exception => {
  const [cRootSlot, vRootSlot, bufferSlot] = k.currentExtraCaps;
  if (length < 4 || cRootSlot === undefined || vRootSlot === undefined || bufferSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
  const faultEP = arg(0);
  const cRootData = arg(1);
  const vRootData = arg(2);
  const bufferAddr = arg(3);
  const buffer = decodeIPCBuffer(k, bufferAddr, bufferSlot);
  if (buffer.status !== EXCEPTION_NONE) return buffer.status;
  const t = capGet(cap, Cap.Thread.tcb);
  const roots = decodeSpaceRoots(k, t, cRootSlot, cRootData, vRootSlot, vRootData);
  if (roots.status !== EXCEPTION_NONE) return roots.status;
  setThreadState(k, k.ksCurThread, TS.Restart);
  return invokeTCB_ThreadControl(k, t, slot, { ...unchanged, faultEP, space: roots.space, buffer: { addr: bufferAddr, frame: buffer.frame } });
};

/**
 * SetPriority, SetMCPriority and SetSchedParams: the new MCP and/or priority
 * (in that order, one word each), each within the MCP of the authority thread
 * (extra cap 0).
 */
const decodePriorities = (k: Kernel, cap: CapT, length: number, arg: (i: number) => number, setsMcp: boolean, setsPrio: boolean): Exception => {
  const words = (setsMcp ? 1 : 0) + (setsPrio ? 1 : 0);
  const authSlot = k.currentExtraCaps[0];
  if (length < words || authSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
  const mcp = setsMcp ? arg(0) : null;
  const priority = setsPrio ? arg(words - 1) : null;
  const authCap = getSlotCap(k, authSlot);
  if (capType(authCap) !== CapTag.Thread) return syscallError(k, { _tag: 'InvalidCapability', capIndex: 1 });
  const authTCB = capGet(authCap, Cap.Thread.tcb);
  for (const p of [mcp, priority]) {
    const status = p === null ? EXCEPTION_NONE : checkPrio(k, p, authTCB);
    if (status !== EXCEPTION_NONE) return status;
  }
  setThreadState(k, k.ksCurThread, TS.Restart);
  return invokeTCB_ThreadControl(k, capGet(cap, Cap.Thread.tcb), 0, { ...unchanged, mcp, priority });
};

export const decodeSetPriority = (k: Kernel, cap: CapT, length: number, arg: (i: number) => number): Exception => decodePriorities(k, cap, length, arg, false, true);

export const decodeSetMCPriority = (k: Kernel, cap: CapT, length: number, arg: (i: number) => number): Exception => decodePriorities(k, cap, length, arg, true, false);

export const decodeSetSchedParams = (k: Kernel, cap: CapT, length: number, arg: (i: number) => number): Exception => decodePriorities(k, cap, length, arg, true, true);

export const decodeSetIPCBuffer = (k: Kernel, cap: CapT, length: number, slot: number, arg: (i: number) => number): Exception => {
  const bufferSlot = k.currentExtraCaps[0];
  if (length < 1 || bufferSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
  const bufferPtr = arg(0);
  const buffer = decodeIPCBuffer(k, bufferPtr, bufferSlot);
  if (buffer.status !== EXCEPTION_NONE) return buffer.status;
  setThreadState(k, k.ksCurThread, TS.Restart);
  return invokeTCB_ThreadControl(k, capGet(cap, Cap.Thread.tcb), slot, { ...unchanged, buffer: { addr: bufferPtr, frame: buffer.frame } });
};

export const decodeSetSpace = (k: Kernel, cap: CapT, length: number, slot: number, arg: (i: number) => number): Exception => {
  const [cRootSlot, vRootSlot] = k.currentExtraCaps;
  if (length < 3 || cRootSlot === undefined || vRootSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
  const faultEP = arg(0);
  const t = capGet(cap, Cap.Thread.tcb);
  const roots = decodeSpaceRoots(k, t, cRootSlot, arg(1), vRootSlot, arg(2));
  if (roots.status !== EXCEPTION_NONE) return roots.status;
  setThreadState(k, k.ksCurThread, TS.Restart);
  return invokeTCB_ThreadControl(k, t, slot, { ...unchanged, faultEP, space: roots.space });
};

export const decodeBindNotification = (k: Kernel, cap: CapT): Exception => {
  const ntfnSlot = k.currentExtraCaps[0];
  if (ntfnSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
  const tcb = capGet(cap, Cap.Thread.tcb);
  if (tcbGet(k, tcb, Tcb.boundNotification) !== 0) return syscallError(k, { _tag: 'IllegalOperation' });
  const ntfnCap = getSlotCap(k, ntfnSlot);
  if (capType(ntfnCap) !== CapTag.Notification) return syscallError(k, { _tag: 'IllegalOperation' });
  const ntfnPtr = capGet(ntfnCap, Cap.Notification.ptr);
  if (capGet(ntfnCap, Cap.Notification.canReceive) !== 1) return syscallError(k, { _tag: 'IllegalOperation' });
  if (objGet(k, ntfnPtr, Notification.boundTCB) !== 0 || objGet(k, ntfnPtr, Notification.state) === NTFN_WAITING) return syscallError(k, { _tag: 'IllegalOperation' });
  setThreadState(k, k.ksCurThread, TS.Restart);
  return invokeTCB_NotificationControl(k, tcb, ntfnPtr);
};

export const decodeUnbindNotification = (k: Kernel, cap: CapT): Exception => {
  const tcb = capGet(cap, Cap.Thread.tcb);
  if (tcbGet(k, tcb, Tcb.boundNotification) === 0) return syscallError(k, { _tag: 'IllegalOperation' });
  setThreadState(k, k.ksCurThread, TS.Restart);
  return invokeTCB_NotificationControl(k, tcb, 0);
};

// ---------------------------------------------------------------- invoke

export const invokeTCB_Suspend = (k: Kernel, thread: number): Exception => {
  suspend(k, thread);
  return EXCEPTION_NONE;
};

export const invokeTCB_Resume = (k: Kernel, thread: number): Exception => {
  restart(k, thread);
  return EXCEPTION_NONE;
};

/**
 * One of ThreadControl's slot updates: delete what the thread's slot holds,
 * then copy the new cap in (if there is one) if its source still holds it and
 * the invoked slot still holds the thread.
 */
const replaceThreadCap = (k: Kernel, target: number, index: number, next: NewCap | null, tCap: CapT, slot: number): Exception => {
  const dest = slotPtr(target, index);
  const e = cteDelete(k, dest, true);
  if (e !== EXCEPTION_NONE) return e;
  if (next !== null && sameObjectAs(next.cap, getSlotCap(k, next.slot)) && sameObjectAs(tCap, getSlotCap(k, slot))) cteInsert(k, next.cap, next.slot, dest);
  return EXCEPTION_NONE;
};

/**
 * Each new cap goes into the thread's slot only if its source still holds it
 * and the invoked slot still holds the thread; a buffer without a frame
 * empties the IPC buffer slot.
 */
export const invokeTCB_ThreadControl = (k: Kernel, target: number, slot: number, tc: ThreadControl): Exception => {
  const tCap = threadCapNew(target);
  if (tc.space !== null && tc.faultEP !== null) tcbSet(k, target, Tcb.faultHandler, tc.faultEP);
  if (tc.mcp !== null) setMCPriority(k, target, tc.mcp);
  if (tc.space !== null) {
    const c = replaceThreadCap(k, target, TCB_CTABLE, tc.space.cRoot, tCap, slot);
    if (c !== EXCEPTION_NONE) return c;
    const v = replaceThreadCap(k, target, TCB_VTABLE, tc.space.vRoot, tCap, slot);
    if (v !== EXCEPTION_NONE) return v;
  }
  if (tc.buffer !== null) {
    const e = replaceThreadCap(k, target, TCB_BUFFER, tc.buffer.frame, tCap, slot);
    if (e !== EXCEPTION_NONE) return e;
    tcbSet(k, target, Tcb.ipcBuffer, tc.buffer.addr);
    if (target === k.ksCurThread) rescheduleRequired(k);
  }
  if (tc.priority !== null) setPriority(k, target, tc.priority);
  return EXCEPTION_NONE;
};

export const invokeTCB_CopyRegisters = (
  k: Kernel,
  dest: number,
  tcbSrc: number,
  suspendSource: boolean,
  resumeTarget: boolean,
  transferFrame: boolean,
  transferInteger: boolean,
): Exception => {
  if (suspendSource) suspend(k, tcbSrc);
  if (resumeTarget) restart(k, dest);
  if (transferFrame) {
    for (const r of FRAME_REGISTERS) setRegister(k, dest, r, getRegister(k, tcbSrc, r));
    setRegister(k, dest, NEXT_IP, getRegister(k, dest, FAULT_IP));
  }
  if (transferInteger) for (const r of GP_REGISTERS) setRegister(k, dest, r, getRegister(k, tcbSrc, r));
  if (dest === k.ksCurThread) rescheduleRequired(k);
  return EXCEPTION_NONE;
};

/** ReadRegisters writes its own reply (C unfolds replyFromKernel here) and leaves the caller Running. */
export const invokeTCB_ReadRegisters = (k: Kernel, tcbSrc: number, suspendSource: boolean, n: number, call: boolean): Exception => {
  const thread = k.ksCurThread;
  if (suspendSource) suspend(k, tcbSrc);
  if (call) {
    const ipcBuffer = lookupIPCBuffer(k, true, thread);
    setRegister(k, thread, BADGE_REGISTER, 0);
    let len = 0;
    for (let i = 0; i < n; i++) len = setMR(k, thread, ipcBuffer, i, getRegister(k, tcbSrc, tableAt(USER_REGISTERS, i, 'USER_REGISTERS')));
    setRegister(k, thread, MSG_INFO_REGISTER, messageInfoNew(0, 0, 0, len));
  }
  setThreadState(k, thread, TS.Running);
  return EXCEPTION_NONE;
};

export const invokeTCB_WriteRegisters = (k: Kernel, dest: number, resumeTarget: boolean, n: number, arg: (i: number) => number): Exception => {
  if (n > USER_REGISTERS.length) n = USER_REGISTERS.length;
  for (let i = 0; i < n; i++) {
    const r = tableAt(USER_REGISTERS, i, 'USER_REGISTERS');
    // Offset of 2 to get past the initial syscall arguments.
    setRegister(k, dest, r, sanitiseRegister(r, arg(i + 2)));
  }
  setRegister(k, dest, NEXT_IP, getRegister(k, dest, FAULT_IP));
  if (resumeTarget) restart(k, dest);
  if (dest === k.ksCurThread) rescheduleRequired(k);
  return EXCEPTION_NONE;
};

/** Bind the notification, or (for a NULL `ntfnPtr`) unbind the thread's. */
export const invokeTCB_NotificationControl = (k: Kernel, tcb: number, ntfnPtr: number): Exception => {
  if (ntfnPtr !== 0) bindNotification(k, tcb, ntfnPtr);
  else unbindNotification(k, tcb);
  return EXCEPTION_NONE;
};

const invokeSetTLSBase = (k: Kernel, thread: number, tlsBase: number): Exception => {
  setRegister(k, thread, TPIDRURW, tlsBase);
  if (thread === k.ksCurThread) rescheduleRequired(k);
  return EXCEPTION_NONE;
};

/** SetFlags writes its own reply (the new flags) and leaves the caller Running. */
const invokeSetFlags = (k: Kernel, thread: number, clear: number, set: number, call: boolean): void => {
  const curThread = k.ksCurThread;
  const flags = ((tcbGet(k, thread, Tcb.flags) & ~clear) | (set & TCB_FLAG_MASK)) >>> 0;
  tcbSet(k, thread, Tcb.flags, flags);
  if (call) {
    const ipcBuffer = lookupIPCBuffer(k, true, curThread);
    setRegister(k, curThread, BADGE_REGISTER, 0);
    setRegister(k, curThread, MSG_INFO_REGISTER, messageInfoNew(0, 0, 0, setMR(k, curThread, ipcBuffer, 0, flags)));
  }
  setThreadState(k, curThread, TS.Running);
};
