/**
 * The system calls on the packed kernel, as C's handleSyscall: the invocation
 * path (lookup, IPC buffer, extra caps, decode-and-perform, error reply for
 * Call), Recv and NBRecv, Reply, Yield, and unknown syscall numbers.
 *
 * seL4: C src/api/syscall.c; spec twin: spec/kernel/syscall.ts.
 */
import { CAP_REGISTER, MSG_INFO_REGISTER, N_MSG_REGISTERS, capFault, missingCapability, syscallOf, TCB_CALLER } from '../../spec/api';
import { Cap, CapTag, Notification, TS, capGet, capType } from '../model/layout';
import { messageInfoFromWord, msgExtraCaps, msgLabel, msgLength } from '../model/abi';
import { getRegister, getSlotCap, objGet, slotPtr, threadStateType } from '../model/heap';
import { KernelBug } from '../model/memory';
import { EXCEPTION_NONE, EXCEPTION_PREEMPTED, EXCEPTION_SYSCALL_ERROR, type Kernel } from '../model/state';
import { EXCEPTION_NOT_MODELLED, decodeInvocation } from '../object/invocation';
import { deleteCallerCap, doReplyTransfer, receiveIPC, replyFromKernelError, replyFromKernelSuccessEmpty } from '../object/endpoint';
import { receiveSignal } from '../object/notification';
import { lookupCap } from './cspace';
import { handleFault } from './faultHandler';
import { getSyscallArg, lookupExtraCaps } from './message';
import { handleYield, setThreadState } from './thread';
import { lookupIPCBuffer } from './vspace';

/** What a syscall did, for the runner: completed, preempted, or outside the modelled subset. */
export type SyscallResult = 'done' | 'preempted' | 'not-modelled';

export const handleInvocation = (k: Kernel, isCall: boolean, isBlocking: boolean): SyscallResult => {
  const thread = k.ksCurThread;
  const info = messageInfoFromWord(getRegister(k, thread, MSG_INFO_REGISTER));
  const cptr = getRegister(k, thread, CAP_REGISTER);
  const lu = lookupCap(k, thread, cptr);
  if (lu.status !== EXCEPTION_NONE) {
    if (isBlocking) handleFault(k, thread, capFault(cptr, false, k.currentLookupFault));
    return 'done';
  }
  const buffer = lookupIPCBuffer(k, false, thread);
  if (lookupExtraCaps(k, thread, buffer, msgExtraCaps(info)) !== EXCEPTION_NONE) {
    if (isBlocking) handleFault(k, thread, k.currentFault);
    return 'done';
  }
  let length = msgLength(info);
  if (length > N_MSG_REGISTERS && buffer === 0) length = N_MSG_REGISTERS;
  const status = decodeInvocation(k, msgLabel(info), length, lu.slot, lu.cap, isBlocking, isCall, (i) => getSyscallArg(k, i, buffer));
  if (status === EXCEPTION_NOT_MODELLED) return 'not-modelled';
  if (status === EXCEPTION_PREEMPTED) return 'preempted';
  if (status === EXCEPTION_SYSCALL_ERROR) {
    if (isCall) replyFromKernelError(k, thread, k.currentSyscallError);
    return 'done';
  }
  if (threadStateType(k, thread) === TS.Restart) {
    if (isCall) replyFromKernelSuccessEmpty(k, thread);
    setThreadState(k, thread, TS.Running);
  }
  return 'done';
};

export const handleReply = (k: Kernel): void => {
  const cur = k.ksCurThread;
  const callerSlot = slotPtr(cur, TCB_CALLER);
  const callerCap = getSlotCap(k, callerSlot);
  switch (capType(callerCap)) {
    case CapTag.Reply:
      if (capGet(callerCap, Cap.Reply.master) === 1) break;
      doReplyTransfer(k, cur, capGet(callerCap, Cap.Reply.tcb), callerSlot, capGet(callerCap, Cap.Reply.canGrant) === 1);
      return;
    case CapTag.Null:
      return;
    default:
      break;
  }
  throw new KernelBug('handleReply: invalid caller cap');
};

export const handleRecv = (k: Kernel, isBlocking: boolean): void => {
  const cur = k.ksCurThread;
  const epCPtr = getRegister(k, cur, CAP_REGISTER);
  const lu = lookupCap(k, cur, epCPtr);
  if (lu.status !== EXCEPTION_NONE) {
    handleFault(k, cur, capFault(epCPtr, true, k.currentLookupFault));
    return;
  }
  const cap = lu.cap;
  switch (capType(cap)) {
    case CapTag.Endpoint:
      if (capGet(cap, Cap.Endpoint.canReceive) !== 1) break;
      deleteCallerCap(k, cur);
      receiveIPC(k, cur, cap, isBlocking);
      return;
    case CapTag.Notification: {
      const ntfn = capGet(cap, Cap.Notification.ptr);
      const bound = objGet(k, ntfn, Notification.boundTCB);
      if (capGet(cap, Cap.Notification.canReceive) !== 1 || (bound !== 0 && bound !== cur)) break;
      receiveSignal(k, cur, ntfn, isBlocking);
      return;
    }
    default:
      break;
  }
  handleFault(k, cur, capFault(epCPtr, true, missingCapability(0)));
};

export const handleSyscall = (k: Kernel, sysno: number): SyscallResult => {
  switch (syscallOf(sysno)) {
    case 'Send':
      return handleInvocation(k, false, true);
    case 'NBSend':
      return handleInvocation(k, false, false);
    case 'Call':
      return handleInvocation(k, true, true);
    case 'Recv':
      handleRecv(k, true);
      return 'done';
    case 'Reply':
      handleReply(k);
      return 'done';
    case 'ReplyRecv':
      handleReply(k);
      handleRecv(k, true);
      return 'done';
    case 'NBRecv':
      handleRecv(k, false);
      return 'done';
    case 'Yield':
      handleYield(k);
      return 'done';
    default:
      handleFault(k, k.ksCurThread, { _tag: 'UnknownSyscall', syscallNumber: sysno >>> 0 });
      return 'done';
  }
};
