/**
 * TCB invocations on the packed kernel, decode and invoke in one call as the C
 * kernel does them (after the checks pass, the caller is set to Restart and
 * the invocation performed); ReadRegisters and SetFlags write their own reply.
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
import {
  frameIsDevice,
  isFrameCap,
  replyCapNew,
  sameObjectAs,
  threadCapNew,
  updateCapData,
} from '../model/capability';
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

// ---------------------------------------------------------------- thread control

interface Root {
  readonly cap: CapT;
  readonly slot: number;
}

/** The new cap goes into the thread's slot only if its source still holds it and the invoked slot still holds the thread. */
const insertIfStillHeld = (k: Kernel, target: number, invokedSlot: number, root: Root, destSlot: number): void => {
  if (sameObjectAs(root.cap, getSlotCap(k, root.slot)) && sameObjectAs(threadCapNew(target), getSlotCap(k, invokedSlot)))
    cteInsert(k, root.cap, root.slot, destSlot);
};

/** Replace a root slot of the thread: delete the old cap; insert the new if its source still holds it. */
const replaceRoot = (k: Kernel, target: number, index: number, invokedSlot: number, root: Root): Exception => {
  const rootSlot = slotPtr(target, index);
  const e = cteDelete(k, rootSlot, true);
  if (e !== EXCEPTION_NONE) return e;
  insertIfStillHeld(k, target, invokedSlot, root, rootSlot);
  return EXCEPTION_NONE;
};

interface ThreadControl {
  readonly target: number;
  readonly slot: number;
  readonly faultEP?: number;
  readonly mcp?: number;
  readonly priority?: number;
  readonly space?: { readonly cRoot: Root; readonly vRoot: Root };
  readonly buffer?: { readonly addr: number; readonly frame: Root | undefined };
}

const invokeThreadControl = (k: Kernel, tc: ThreadControl): Exception => {
  if (tc.space !== undefined) tcbSet(k, tc.target, Tcb.faultHandler, tc.faultEP ?? 0);
  if (tc.mcp !== undefined) setMCPriority(k, tc.target, tc.mcp);
  if (tc.space !== undefined) {
    let e = replaceRoot(k, tc.target, TCB_CTABLE, tc.slot, tc.space.cRoot);
    if (e !== EXCEPTION_NONE) return e;
    e = replaceRoot(k, tc.target, TCB_VTABLE, tc.slot, tc.space.vRoot);
    if (e !== EXCEPTION_NONE) return e;
  }
  if (tc.buffer !== undefined) {
    const bufferSlot = slotPtr(tc.target, TCB_BUFFER);
    const e = cteDelete(k, bufferSlot, true);
    if (e !== EXCEPTION_NONE) return e;
    tcbSet(k, tc.target, Tcb.ipcBuffer, tc.buffer.addr);
    const f = tc.buffer.frame;
    if (f !== undefined) insertIfStillHeld(k, tc.target, tc.slot, f, bufferSlot);
    if (tc.target === k.ksCurThread) rescheduleRequired(k);
  }
  if (tc.priority !== undefined) setPriority(k, tc.target, tc.priority);
  return EXCEPTION_NONE;
};

const checkPrio = (k: Kernel, prio: number, auth: number): Exception => {
  const mcp = tcbGet(k, auth, Tcb.mcp);
  return prio > mcp ? syscallError(k, { _tag: 'RangeError', min: 0, max: mcp }) : EXCEPTION_NONE;
};

/** Extra cap 0 names a thread (the MCP authority, or CopyRegisters' source): missing is TruncatedMessage, another cap InvalidCapability 1. */
const threadArgument = (k: Kernel, slot: number | undefined): { status: Exception; tcb: number } => {
  if (slot === undefined) return { status: syscallError(k, { _tag: 'TruncatedMessage' }), tcb: 0 };
  const cap = getSlotCap(k, slot);
  if (capType(cap) !== CapTag.Thread) return { status: syscallError(k, { _tag: 'InvalidCapability', capIndex: 1 }), tcb: 0 };
  return { status: EXCEPTION_NONE, tcb: capGet(cap, Cap.Thread.tcb) };
};

/** The first `n` arguments as priorities (SetPriority, SetMCPriority, SetSchedParams), each within the authority's MCP. */
const checkPriorities = (k: Kernel, length: number, n: number, authSlot: number | undefined, arg: (i: number) => number): Exception => {
  if (length < n) return syscallError(k, { _tag: 'TruncatedMessage' });
  const auth = threadArgument(k, authSlot);
  if (auth.status !== EXCEPTION_NONE) return auth.status;
  for (let i = 0; i < n; i++) {
    const e = checkPrio(k, arg(i), auth.tcb);
    if (e !== EXCEPTION_NONE) return e;
  }
  return EXCEPTION_NONE;
};

/** The IPC-buffer checks of Configure and SetIPCBuffer; `frame` is undefined for address 0. */
const checkIPCBuffer = (k: Kernel, addr: number, slot: number): { status: Exception; frame?: Root } => {
  if (addr === 0) return { status: EXCEPTION_NONE };
  const d = deriveCap(k, slot, getSlotCap(k, slot));
  if (d.status !== EXCEPTION_NONE) return { status: d.status };
  if (!isFrameCap(d.cap) || frameIsDevice(d.cap)) return { status: syscallError(k, { _tag: 'IllegalOperation' }) };
  if ((addr & ((1 << IPC_BUFFER_SIZE_BITS) - 1)) !== 0) return { status: syscallError(k, { _tag: 'AlignmentError' }) };
  return { status: EXCEPTION_NONE, frame: { cap: d.cap, slot } };
};

const slotCapLongRunningDelete = (k: Kernel, slot: number): boolean => {
  const t = capType(getSlotCap(k, slot));
  if (t === CapTag.Null || !isFinalCapability(k, slot)) return false;
  return t === CapTag.Thread || t === CapTag.Zombie || t === CapTag.CNode;
};

/** The space checks of Configure and SetSpace. */
const checkSpace = (
  k: Kernel,
  target: number,
  cRootData: number,
  vRootData: number,
  cSlot: number,
  vSlot: number,
): { status: Exception; space?: { cRoot: Root; vRoot: Root } } => {
  if (slotCapLongRunningDelete(k, slotPtr(target, TCB_CTABLE)) || slotCapLongRunningDelete(k, slotPtr(target, TCB_VTABLE)))
    return { status: syscallError(k, { _tag: 'IllegalOperation' }) };
  let cCap = getSlotCap(k, cSlot);
  if (cRootData !== 0) cCap = updateCapData(false, cRootData, cCap);
  const dc = deriveCap(k, cSlot, cCap);
  if (dc.status !== EXCEPTION_NONE) return { status: dc.status };
  if (capType(dc.cap) !== CapTag.CNode) return { status: syscallError(k, { _tag: 'IllegalOperation' }) };
  let vCap = getSlotCap(k, vSlot);
  if (vRootData !== 0) vCap = updateCapData(false, vRootData, vCap);
  const dv = deriveCap(k, vSlot, vCap);
  if (dv.status !== EXCEPTION_NONE) return { status: dv.status };
  if (!(capType(dv.cap) === CapTag.PageDirectory && capGet(dv.cap, Cap.PageDirectory.isMapped) === 1))
    return { status: syscallError(k, { _tag: 'IllegalOperation' }) };
  return { status: EXCEPTION_NONE, space: { cRoot: { cap: dc.cap, slot: cSlot }, vRoot: { cap: dv.cap, slot: vSlot } } };
};


// ---------------------------------------------------------------- decode and invoke

export const decodeTCBInvocation = (
  k: Kernel,
  label: number,
  length: number,
  cap: CapT,
  slot: number,
  call: boolean,
  arg: (i: number) => number,
): Exception => {
  const t = capGet(cap, Cap.Thread.tcb);
  const cur = k.ksCurThread;
  const extra = k.currentExtraCaps;
  switch (label) {
    case LABEL.TCBReadRegisters: {
      if (length < 2) return syscallError(k, { _tag: 'TruncatedMessage' });
      const flags = arg(0);
      const n = arg(1);
      if (n < 1 || n > USER_REGISTERS.length) return syscallError(k, { _tag: 'RangeError', min: 1, max: USER_REGISTERS.length });
      if (t === cur) return syscallError(k, { _tag: 'IllegalOperation' });
      setThreadState(k, cur, TS.Restart);
      if ((flags & 1) !== 0) suspend(k, t);
      if (call) {
        const buffer = lookupIPCBuffer(k, true, cur);
        setRegister(k, cur, BADGE_REGISTER, 0);
        let len = 0;
        for (let i = 0; i < n; i++) len = setMR(k, cur, buffer, i, getRegister(k, t, tableAt(USER_REGISTERS, i, 'USER_REGISTERS')));
        setRegister(k, cur, MSG_INFO_REGISTER, messageInfoNew(0, 0, 0, len));
      }
      setThreadState(k, cur, TS.Running);
      return EXCEPTION_NONE;
    }
    case LABEL.TCBWriteRegisters: {
      if (length < 2) return syscallError(k, { _tag: 'TruncatedMessage' });
      const flags = arg(0);
      const n = arg(1);
      if (length - 2 < n) return syscallError(k, { _tag: 'TruncatedMessage' });
      if (t === cur) return syscallError(k, { _tag: 'IllegalOperation' });
      setThreadState(k, cur, TS.Restart);
      const count = Math.min(n, USER_REGISTERS.length);
      for (let i = 0; i < count; i++) {
        const r = tableAt(USER_REGISTERS, i, 'USER_REGISTERS');
        setRegister(k, t, r, sanitiseRegister(r, arg(i + 2)));
      }
      setRegister(k, t, NEXT_IP, getRegister(k, t, FAULT_IP));
      if ((flags & 1) !== 0) restart(k, t);
      if (t === cur) rescheduleRequired(k);
      return EXCEPTION_NONE;
    }
    case LABEL.TCBCopyRegisters: {
      if (length < 1) return syscallError(k, { _tag: 'TruncatedMessage' });
      const source = threadArgument(k, extra[0]);
      if (source.status !== EXCEPTION_NONE) return source.status;
      const s = source.tcb;
      const flags = arg(0);
      setThreadState(k, cur, TS.Restart);
      if ((flags & 1) !== 0) suspend(k, s);
      if ((flags & 2) !== 0) restart(k, t);
      if ((flags & 4) !== 0) {
        for (const r of FRAME_REGISTERS) setRegister(k, t, r, getRegister(k, s, r));
        setRegister(k, t, NEXT_IP, getRegister(k, t, FAULT_IP));
      }
      if ((flags & 8) !== 0) for (const r of GP_REGISTERS) setRegister(k, t, r, getRegister(k, s, r));
      if (t === cur) rescheduleRequired(k);
      return EXCEPTION_NONE;
    }
    case LABEL.TCBConfigure: {
      const [cSlot, vSlot, bSlot] = extra;
      if (length < 4 || cSlot === undefined || vSlot === undefined || bSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
      const b = checkIPCBuffer(k, arg(3), bSlot);
      if (b.status !== EXCEPTION_NONE) return b.status;
      const sp = checkSpace(k, t, arg(1), arg(2), cSlot, vSlot);
      if (sp.status !== EXCEPTION_NONE || sp.space === undefined) return sp.status;
      setThreadState(k, cur, TS.Restart);
      return invokeThreadControl(k, { target: t, slot, faultEP: arg(0), space: sp.space, buffer: { addr: arg(3), frame: b.frame } });
    }
    case LABEL.TCBSetPriority:
    case LABEL.TCBSetMCPriority: {
      const e = checkPriorities(k, length, 1, extra[0], arg);
      if (e !== EXCEPTION_NONE) return e;
      setThreadState(k, cur, TS.Restart);
      return invokeThreadControl(k, label === LABEL.TCBSetPriority ? { target: t, slot: 0, priority: arg(0) } : { target: t, slot: 0, mcp: arg(0) });
    }
    case LABEL.TCBSetSchedParams: {
      // The new MCP, then the new priority.
      const e = checkPriorities(k, length, 2, extra[0], arg);
      if (e !== EXCEPTION_NONE) return e;
      setThreadState(k, cur, TS.Restart);
      return invokeThreadControl(k, { target: t, slot: 0, mcp: arg(0), priority: arg(1) });
    }
    case LABEL.TCBSetIPCBuffer: {
      const bSlot = extra[0];
      if (length < 1 || bSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
      const b = checkIPCBuffer(k, arg(0), bSlot);
      if (b.status !== EXCEPTION_NONE) return b.status;
      setThreadState(k, cur, TS.Restart);
      return invokeThreadControl(k, { target: t, slot, buffer: { addr: arg(0), frame: b.frame } });
    }
    case LABEL.TCBSetSpace: {
      const [cSlot, vSlot] = extra;
      if (length < 3 || cSlot === undefined || vSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
      const sp = checkSpace(k, t, arg(1), arg(2), cSlot, vSlot);
      if (sp.status !== EXCEPTION_NONE || sp.space === undefined) return sp.status;
      setThreadState(k, cur, TS.Restart);
      return invokeThreadControl(k, { target: t, slot, faultEP: arg(0), space: sp.space });
    }
    case LABEL.TCBSuspend:
      setThreadState(k, cur, TS.Restart);
      suspend(k, t);
      return EXCEPTION_NONE;
    case LABEL.TCBResume:
      setThreadState(k, cur, TS.Restart);
      restart(k, t);
      return EXCEPTION_NONE;
    case LABEL.TCBBindNotification: {
      const nSlot = extra[0];
      if (nSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
      if (tcbGet(k, t, Tcb.boundNotification) !== 0) return syscallError(k, { _tag: 'IllegalOperation' });
      const nCap = getSlotCap(k, nSlot);
      if (capType(nCap) !== CapTag.Notification || capGet(nCap, Cap.Notification.canReceive) !== 1) return syscallError(k, { _tag: 'IllegalOperation' });
      const ntfn = capGet(nCap, Cap.Notification.ptr);
      if (objGet(k, ntfn, Notification.boundTCB) !== 0 || objGet(k, ntfn, Notification.state) === NTFN_WAITING)
        return syscallError(k, { _tag: 'IllegalOperation' });
      setThreadState(k, cur, TS.Restart);
      bindNotification(k, t, ntfn);
      return EXCEPTION_NONE;
    }
    case LABEL.TCBUnbindNotification:
      if (tcbGet(k, t, Tcb.boundNotification) === 0) return syscallError(k, { _tag: 'IllegalOperation' });
      setThreadState(k, cur, TS.Restart);
      unbindNotification(k, t);
      return EXCEPTION_NONE;
    case LABEL.TCBSetTLSBase:
      if (length < 1) return syscallError(k, { _tag: 'TruncatedMessage' });
      setThreadState(k, cur, TS.Restart);
      setRegister(k, t, TPIDRURW, arg(0));
      if (t === cur) rescheduleRequired(k);
      return EXCEPTION_NONE;
    case LABEL.TCBSetFlags: {
      if (length < 2) return syscallError(k, { _tag: 'TruncatedMessage' });
      setThreadState(k, cur, TS.Restart);
      const flags = ((tcbGet(k, t, Tcb.flags) & ~arg(0)) | (arg(1) & TCB_FLAG_MASK)) >>> 0;
      tcbSet(k, t, Tcb.flags, flags);
      if (call) {
        const buffer = lookupIPCBuffer(k, true, cur);
        setRegister(k, cur, BADGE_REGISTER, 0);
        setRegister(k, cur, MSG_INFO_REGISTER, messageInfoNew(0, 0, 0, setMR(k, cur, buffer, 0, flags)));
      }
      setThreadState(k, cur, TS.Running);
      return EXCEPTION_NONE;
    }
    default:
      return syscallError(k, { _tag: 'IllegalOperation' });
  }
};

