/**
 * Synchronous IPC on the packed kernel: endpoint state and queue in the
 * endpoint's words, thread state words for blocked senders and receivers,
 * message copy register-to-register and buffer-to-buffer, cap transfer into the
 * receive slot, reply caps in the caller slot as MDB children of the reply
 * master, fault messages and fault replies, and the kernel's own replies.
 *
 * seL4: C src/object/endpoint.c, src/kernel/thread.c (doIPCTransfer,
 * doReplyTransfer, transferCaps), src/object/tcb.c (setupCallerCap,
 * deleteCallerCap), src/api/faults.c (setMRs_fault, handleFaultReply);
 * spec twin: spec/object/endpoint.ts.
 */
import {
  BADGE_REGISTER,
  EXCEPTION_MESSAGE,
  FAULT_IP,
  FAULT_LABEL,
  IPCBUF_CAPS_OR_BADGES,
  MSG_INFO_REGISTER,
  MSG_REGISTERS,
  N_MSG_REGISTERS,
  SYSCALL_MESSAGE,
  type SyscallError,
  TCB_REPLY,
  TCB_CALLER,
  ipcBufferMR,
} from '../../spec/api';
import { Cap, CapTag, type CapT, EP_IDLE, EP_RECV, EP_SEND, Endpoint, NTFN_ACTIVE, Notification, TS, Tcb, ThreadStateW, capGet, capType } from '../model/layout';
import { getRegister, getSlotCap, objGet, objSet, setRegister, slotPtr, tcbGet, threadStateType, tsGet, tsSet } from '../model/heap';
import { KernelBug, tableAt } from '../model/memory';
import { hasFault, loadFault } from '../model/fault';
import { replyCapNew } from '../model/capability';
import { EXCEPTION_NONE, type Kernel } from '../model/state';
import { seam } from '../model/seam';
import {
  lookupFailureMRs,
  messageInfoFromWord,
  messageInfoNew,
  msgExtraCaps,
  msgLabel,
  msgLength,
  msgSetCapsUnwrapped,
  msgSetExtraCaps,
  msgSetLength,
  sanitiseRegister,
  syscallErrorMRs,
} from '../model/abi';
import { deriveCap } from '../kernel/cspace';
import { bufferWordPtr, copyMRs, getReceiveSlots, lookupExtraCaps, setMRs } from '../kernel/message';
import { possibleSwitchTo, setThreadState } from '../kernel/thread';
import { lookupIPCBuffer } from '../kernel/vspace';
import { cteInsert } from './cnode';
import { clearFault, cteDeleteOne } from './ipcCancel';
import { completeSignal } from './notification';
import { EP_QUEUE, getQueue, setQueue, tcbEPAppend, tcbEPDequeue } from './tcbQueue';

// ---------------------------------------------------------------- message transfer

const transferCaps = (k: Kernel, info: number, ep: number, receiver: number, recvBuffer: number): number => {
  const mi = msgSetCapsUnwrapped(msgSetExtraCaps(info, 0), 0);
  const caps = k.currentExtraCaps;
  if (caps.length === 0 || recvBuffer === 0) return mi;
  let destSlot = getReceiveSlots(k, receiver, recvBuffer);
  let i = 0;
  let unwrapped = 0;
  for (; i < caps.length; i++) {
    const slot = tableAt(caps, i, 'current_extra_caps');
    const cap = getSlotCap(k, slot);
    if (capType(cap) === CapTag.Endpoint && ep !== 0 && capGet(cap, Cap.Endpoint.ptr) === ep) {
      k.mem.store(bufferWordPtr(recvBuffer, IPCBUF_CAPS_OR_BADGES + i), capGet(cap, Cap.Endpoint.badge));
      unwrapped |= 1 << i;
    } else {
      if (destSlot === 0) break;
      const d = deriveCap(k, slot, cap);
      if (d.status !== EXCEPTION_NONE || capType(d.cap) === CapTag.Null) break;
      cteInsert(k, d.cap, slot, destSlot);
      destSlot = 0;
    }
  }
  return msgSetCapsUnwrapped(msgSetExtraCaps(mi, i), unwrapped);
};

/** The message info the sender passes: its info register through the kernel's decoder (C: messageInfoFromWord). */
export const senderMessageInfo = seam('senderMessageInfo', (k: Kernel, sender: number): number => messageInfoFromWord(getRegister(k, sender, MSG_INFO_REGISTER)));

export const doNormalTransfer = seam(
  'doNormalTransfer',
  (k: Kernel, sender: number, sendBuffer: number, ep: number, badge: number, canGrant: boolean, receiver: number, recvBuffer: number): void => {
    const tag = senderMessageInfo(k, sender);
    if (canGrant) {
      if (lookupExtraCaps(k, sender, sendBuffer, msgExtraCaps(tag)) !== EXCEPTION_NONE) k.currentExtraCaps = [];
    } else {
      k.currentExtraCaps = [];
    }
    const transferred = copyMRs(k, sender, sendBuffer, receiver, recvBuffer, msgLength(tag));
    const info = transferCaps(k, tag, ep, receiver, recvBuffer);
    setRegister(k, receiver, MSG_INFO_REGISTER, msgSetLength(info, transferred));
    setRegister(k, receiver, BADGE_REGISTER, badge);
  },
);

/** `setMRs_fault`: write the sender's fault message into the receiver's MRs; returns the length. */
const setMRsFault = (k: Kernel, sender: number, receiver: number, recvBuffer: number): { label: number; length: number } => {
  const f = loadFault(k, sender);
  if (f === null) throw new KernelBug('doFaultTransfer: no fault found');
  switch (f._tag) {
    case 'CapFault':
      return {
        label: FAULT_LABEL.CapFault,
        length: setMRs(k, receiver, recvBuffer, 0, [getRegister(k, sender, FAULT_IP), f.address, f.inReceivePhase ? 1 : 0, ...lookupFailureMRs(f.failure)]),
      };
    case 'UnknownSyscall':
    case 'UserException': {
      const regs = f._tag === 'UnknownSyscall' ? SYSCALL_MESSAGE : EXCEPTION_MESSAGE;
      let i = 0;
      for (; i < regs.length && i < N_MSG_REGISTERS; i++)
        setRegister(k, receiver, tableAt(MSG_REGISTERS, i, 'MSG_REGISTERS'), getRegister(k, sender, tableAt(regs, i, 'fault message registers')));
      if (recvBuffer !== 0)
        for (; i < regs.length; i++) k.mem.store(bufferWordPtr(recvBuffer, ipcBufferMR(i)), getRegister(k, sender, tableAt(regs, i, 'fault message registers')));
      const extra = f._tag === 'UnknownSyscall' ? [f.syscallNumber] : [f.number, f.code];
      return { label: FAULT_LABEL[f._tag], length: setMRs(k, receiver, recvBuffer, regs.length, extra) };
    }
    case 'VMFault':
      return {
        label: FAULT_LABEL.VMFault,
        length: setMRs(k, receiver, recvBuffer, 0, [getRegister(k, sender, FAULT_IP), f.address, f.instructionFault ? 1 : 0, f.fsr]),
      };
  }
};

const doFaultTransfer = (k: Kernel, badge: number, sender: number, receiver: number, recvBuffer: number): void => {
  const { label, length } = setMRsFault(k, sender, receiver, recvBuffer);
  setRegister(k, receiver, MSG_INFO_REGISTER, messageInfoNew(label, 0, 0, length));
  setRegister(k, receiver, BADGE_REGISTER, badge);
};

export const doIPCTransfer = (k: Kernel, sender: number, ep: number, badge: number, grant: boolean, receiver: number): void => {
  const recvBuffer = lookupIPCBuffer(k, true, receiver);
  if (!hasFault(k, sender)) doNormalTransfer(k, sender, lookupIPCBuffer(k, false, sender), ep, badge, grant, receiver, recvBuffer);
  else doFaultTransfer(k, badge, sender, receiver, recvBuffer);
};

// ---------------------------------------------------------------- reply caps

export const setupCallerCap = seam('setupCallerCap', (k: Kernel, sender: number, receiver: number, canGrant: boolean): void => {
  setThreadState(k, sender, TS.BlockedOnReply);
  cteInsert(k, replyCapNew(sender, false, canGrant), slotPtr(sender, TCB_REPLY), slotPtr(receiver, TCB_CALLER));
});

export const deleteCallerCap = (k: Kernel, receiver: number): void => cteDeleteOne(k, slotPtr(receiver, TCB_CALLER));

/** `handleFaultReply`: a handler's reply to a fault; true when the thread restarts. */
const handleFaultReply = (k: Kernel, receiver: number, sender: number): boolean => {
  const mi = messageInfoFromWord(getRegister(k, sender, MSG_INFO_REGISTER));
  const f = loadFault(k, receiver);
  if (f === null) throw new KernelBug('handleFaultReply: no fault');
  if (f._tag === 'CapFault' || f._tag === 'VMFault') return true;
  const regs = f._tag === 'UnknownSyscall' ? SYSCALL_MESSAGE : EXCEPTION_MESSAGE;
  const length = Math.min(msgLength(mi), regs.length);
  let i = 0;
  for (; i < length && i < N_MSG_REGISTERS; i++) {
    const r = tableAt(regs, i, 'fault message registers');
    setRegister(k, receiver, r, sanitiseRegister(r, getRegister(k, sender, tableAt(MSG_REGISTERS, i, 'MSG_REGISTERS'))));
  }
  if (i < length) {
    const sendBuf = lookupIPCBuffer(k, false, sender);
    if (sendBuf !== 0)
      for (; i < length; i++) {
        const r = tableAt(regs, i, 'fault message registers');
        setRegister(k, receiver, r, sanitiseRegister(r, k.mem.load(bufferWordPtr(sendBuf, ipcBufferMR(i)))));
      }
  }
  return msgLabel(mi) === 0;
};

export const doReplyTransfer = seam('doReplyTransfer', (k: Kernel, sender: number, receiver: number, slot: number, grant: boolean): void => {
  if (threadStateType(k, receiver) !== TS.BlockedOnReply) throw new KernelBug('reply to a thread that is not waiting');
  if (!hasFault(k, receiver)) {
    doIPCTransfer(k, sender, 0, 0, grant, receiver);
    cteDeleteOne(k, slot);
    setThreadState(k, receiver, TS.Running);
    possibleSwitchTo(k, receiver);
    return;
  }
  cteDeleteOne(k, slot);
  const restart = handleFaultReply(k, receiver, sender);
  clearFault(k, receiver);
  if (restart) {
    setThreadState(k, receiver, TS.Restart);
    possibleSwitchTo(k, receiver);
  } else {
    setThreadState(k, receiver, TS.Inactive);
  }
});

// ---------------------------------------------------------------- send and receive

/** Take the first thread off an endpoint's queue; the endpoint goes idle when it was the last (C does this inline in sendIPC and receiveIPC). */
const dequeueFirst = (k: Kernel, ep: number): number => {
  const q = getQueue(k, ep, EP_QUEUE);
  const first = q.head;
  const rest = tcbEPDequeue(k, first, q);
  setQueue(k, ep, EP_QUEUE, rest);
  if (rest.head === 0) objSet(k, ep, Endpoint.state, EP_IDLE);
  return first;
};

export const sendIPC = seam(
  'sendIPC',
  (k: Kernel, blocking: boolean, doCall: boolean, badge: number, canGrant: boolean, canGrantReply: boolean, thread: number, ep: number): void => {
    const state = objGet(k, ep, Endpoint.state);
    if (state === EP_IDLE || state === EP_SEND) {
      if (!blocking) return;
      tsSet(k, thread, ThreadStateW.blockingObject, ep);
      tsSet(k, thread, ThreadStateW.badge, badge);
      tsSet(k, thread, ThreadStateW.canGrant, canGrant ? 1 : 0);
      tsSet(k, thread, ThreadStateW.canGrantReply, canGrantReply ? 1 : 0);
      tsSet(k, thread, ThreadStateW.isCall, doCall ? 1 : 0);
      setThreadState(k, thread, TS.BlockedOnSend);
      setQueue(k, ep, EP_QUEUE, tcbEPAppend(k, thread, getQueue(k, ep, EP_QUEUE)));
      objSet(k, ep, Endpoint.state, EP_SEND);
      return;
    }
    // EP_RECV: hand the message to the first receiver.
    const dest = dequeueFirst(k, ep);
    doIPCTransfer(k, thread, ep, badge, canGrant, dest);
    const replyCanGrant = tsGet(k, dest, ThreadStateW.canGrant) === 1;
    setThreadState(k, dest, TS.Running);
    possibleSwitchTo(k, dest);
    if (doCall) {
      if (canGrant || canGrantReply) setupCallerCap(k, thread, dest, replyCanGrant);
      else setThreadState(k, thread, TS.Inactive);
    }
  },
);

export const receiveIPC = (k: Kernel, thread: number, epCap: CapT, blocking: boolean): void => {
  const ep = capGet(epCap, Cap.Endpoint.ptr);
  const ntfn = tcbGet(k, thread, Tcb.boundNotification);
  if (ntfn !== 0 && objGet(k, ntfn, Notification.state) === NTFN_ACTIVE) {
    completeSignal(k, ntfn, thread);
    return;
  }
  const state = objGet(k, ep, Endpoint.state);
  if (state === EP_IDLE || state === EP_RECV) {
    if (!blocking) {
      setRegister(k, thread, BADGE_REGISTER, 0);
      return;
    }
    tsSet(k, thread, ThreadStateW.blockingObject, ep);
    tsSet(k, thread, ThreadStateW.canGrant, capGet(epCap, Cap.Endpoint.canGrant));
    setThreadState(k, thread, TS.BlockedOnReceive);
    setQueue(k, ep, EP_QUEUE, tcbEPAppend(k, thread, getQueue(k, ep, EP_QUEUE)));
    objSet(k, ep, Endpoint.state, EP_RECV);
    return;
  }
  // EP_SEND: take the first sender.
  const sender = dequeueFirst(k, ep);
  const badge = tsGet(k, sender, ThreadStateW.badge);
  const canGrant = tsGet(k, sender, ThreadStateW.canGrant) === 1;
  const canGrantReply = tsGet(k, sender, ThreadStateW.canGrantReply) === 1;
  doIPCTransfer(k, sender, ep, badge, canGrant, thread);
  if (tsGet(k, sender, ThreadStateW.isCall) === 1) {
    if (canGrant || canGrantReply) setupCallerCap(k, sender, thread, capGet(epCap, Cap.Endpoint.canGrant) === 1);
    else setThreadState(k, sender, TS.Inactive);
  } else {
    setThreadState(k, sender, TS.Running);
    possibleSwitchTo(k, sender);
  }
};

// ---------------------------------------------------------------- kernel replies

/** The kernel's reply to a Call: no badge, the words as MRs, the label and length in the info register. */
const replyFromKernel = (k: Kernel, t: number, buffer: number, label: number, words: readonly number[]): void => {
  setRegister(k, t, BADGE_REGISTER, 0);
  const len = setMRs(k, t, buffer, 0, words);
  setRegister(k, t, MSG_INFO_REGISTER, messageInfoNew(label, 0, 0, len));
};

/** `replyFromKernel_error`: the error's label and words (the buffer may carry them). */
export const replyFromKernelError = seam('replyFromKernelError', (k: Kernel, t: number, e: SyscallError): void => {
  const m = syscallErrorMRs(e);
  replyFromKernel(k, t, lookupIPCBuffer(k, true, t), m.label, m.words);
});

/** `replyFromKernel_success_empty`: label 0, no words, so no IPC buffer to look up. */
export const replyFromKernelSuccessEmpty = (k: Kernel, t: number): void => replyFromKernel(k, t, 0, 0, []);
