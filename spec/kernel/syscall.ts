/**
 * The system calls: Send, NBSend and Call invoke a cap (lookup, extra caps,
 * decode, perform; only Call gets an error reply); Recv and NBRecv wait on an
 * endpoint or notification; Reply answers the last caller; Yield gives up the
 * processor. Each handler also reports what happened, for coverage.
 *
 * seL4: Haskell API/Syscall.lhs (handleInvocation, handleRecv, handleReply,
 * handleYield); abstract spec Syscall_A.thy; C src/api/syscall.c.
 */
import * as E from 'fp-ts/Either';
import { N_MSG_REGISTERS } from '../api/config';
import { capFault, missingCapability, syscallErrorToMessage, type Fault } from '../api/errors';
import { CAP_REGISTER } from '../api/registers';
import { type SyscallName, syscallOf } from '../api/syscall';
import { getCap, getEndpoint, getNotification, getTCB, slotOf } from '../model/heap';
import type { KernelState } from '../model/state';
import { type Cap, type PPtr, TCB_CALLER } from '../model/structures';
import { deleteCallerCap, doReplyTransfer, receiveIPC, replyFromKernel } from '../object/endpoint';
import { decodeInvocation, invocationName, performInvocation } from '../object/invocation';
import { receiveSignal } from '../object/notification';
import { lookupCap, lookupCapAndSlot } from './cspace';
import { handleFault } from './faultHandler';
import { getMessageInfo, getMRs, lookupExtraCaps } from './message';
import { getRegister, getThreadState, handleYield, setThreadState } from './thread';
import { lookupIPCBuffer } from './vspace';
import { kernelAssert } from '../model/assert';

/** What an event did, in words the coverage table counts. */
export interface Outcome {
  /** The syscall or event kind ('Call', 'Recv', 'tick', 'UnknownSyscall', ...). */
  readonly kind: string;
  /** What was invoked or waited on ('CNodeCopy', 'TCBResume', 'Endpoint', 'Notification', 'Reply', ...). */
  readonly target?: string;
  /**
   * 'ok', a syscall error name, a fault name, 'preempted' or 'NotModelled';
   * for IPC what the message met: 'delivered', 'blocked', 'dropped',
   * 'received', 'empty', 'woke-waiter', 'woke-bound', 'activated', 'merged'...
   */
  readonly result: string;
}

export { IPC_TARGETS } from '../object/invocation';

/**
 * What a send-side IPC will do, judged from the state before it: a message to
 * an endpoint meets a waiting receiver, blocks or (NBSend) is dropped; a signal
 * wakes a waiter, wakes a bound thread blocked in Recv, activates the
 * notification or merges its badge into a pending one. It mirrors the
 * branches of sendIPC (object/endpoint.ts) and sendSignal (object/notification.ts):
 * a change there needs one here, or coverage names the wrong case.
 */
const sendResult = (s: KernelState, cap: Cap, isBlocking: boolean): string => {
  switch (cap._tag) {
    case 'EndpointCap':
      if (getEndpoint(s, cap.ptr).state._tag === 'RecvEP') return 'delivered';
      return isBlocking ? 'blocked' : 'dropped';
    case 'NotificationCap': {
      const n = getNotification(s, cap.ptr);
      if (n.state._tag === 'WaitingNtfn') return 'woke-waiter';
      if (n.state._tag === 'ActiveNtfn') return 'merged';
      if (n.boundTCB !== null && getThreadState(s, n.boundTCB)._tag === 'BlockedOnReceive') return 'woke-bound';
      return 'activated';
    }
    case 'ReplyCap':
      return 'replied';
    default:
      return 'ok';
  }
};

/**
 * What a receive will do: take a queued message or pending signal, or block
 * (Recv) / find nothing (NBRecv). It mirrors the branches of receiveIPC and
 * receiveSignal.
 */
const receiveResult = (s: KernelState, t: PPtr, cap: Cap, isBlocking: boolean): string => {
  const waiting = isBlocking ? 'blocked' : 'empty';
  if (cap._tag === 'EndpointCap') {
    // A pending signal on the bound notification is taken before any queued message.
    const bound = getTCB(s, t).boundNotification;
    if (bound !== null && getNotification(s, bound).state._tag === 'ActiveNtfn') return 'received-signal';
    return getEndpoint(s, cap.ptr).state._tag === 'SendEP' ? 'received' : waiting;
  }
  if (cap._tag === 'NotificationCap') return getNotification(s, cap.ptr).state._tag === 'ActiveNtfn' ? 'received' : waiting;
  return waiting;
};

export interface Stepped {
  readonly state: KernelState;
  readonly outcome: Outcome;
}

const faultName = (f: Fault): string => f._tag;

/**
 * `handleInvocation`: the Send/NBSend/Call path. A failed lookup is a fault
 * for the blocking variants and ignored by NBSend; a decode error is replied
 * to a Call and dropped otherwise; an invocation that leaves the caller in
 * Restart completes with the kernel's reply (for Call) and the caller running.
 */
export const handleInvocation = (s: KernelState, kind: SyscallName, isCall: boolean, isBlocking: boolean): Stepped => {
  const t = s.curThread;
  const info = getMessageInfo(s, t);
  const cptr = getRegister(s, t, CAP_REGISTER);
  const faulted = (f: Fault, target?: string): Stepped => ({
    state: isBlocking ? handleFault(t, f)(s) : s,
    outcome: { kind, ...(target === undefined ? {} : { target }), result: faultName(f) },
  });

  const looked = lookupCapAndSlot(s, t, cptr);
  if (E.isLeft(looked)) return faulted(capFault(cptr, false, looked.left));
  const { cap, slot } = looked.right;
  const target = invocationName(cap, info.label);
  const buffer = lookupIPCBuffer(s, false, t);
  const extra = lookupExtraCaps(s, t, buffer, info);
  if (E.isLeft(extra)) return faulted(extra.left, target);

  // Without an IPC buffer only the register MRs exist.
  const length = info.length > N_MSG_REGISTERS && buffer === undefined ? N_MSG_REGISTERS : info.length;
  const args = getMRs(s, t, buffer, length);
  const decoded = decodeInvocation(s, info.label, args, slot, cap, extra.right);
  if (E.isLeft(decoded)) {
    const err = decoded.left;
    const msg = syscallErrorToMessage(err);
    return { state: isCall ? replyFromKernel(t, msg.label, msg.words)(s) : s, outcome: { kind, target, result: err._tag } };
  }
  if (decoded.right._tag === 'NotModelled') return { state: s, outcome: { kind, target, result: 'NotModelled' } };

  const result = sendResult(s, cap, isBlocking);
  const s1 = setThreadState({ _tag: 'Restart' }, t)(s);
  const done = performInvocation(decoded.right, isBlocking, isCall)(s1);
  if (done.preempted) return { state: done.state, outcome: { kind, target, result: 'preempted' } };
  let s2 = done.state;
  if (getThreadState(s2, t)._tag === 'Restart') {
    if (isCall) s2 = replyFromKernel(t, 0, done.reply)(s2);
    s2 = setThreadState({ _tag: 'Running' }, t)(s2);
  }
  return { state: s2, outcome: { kind, target, result } };
};

/**
 * `handleRecv`: wait on an endpoint (after destroying any unused reply cap) or
 * on a notification that is unbound or bound to this thread. Anything else,
 * including a failed lookup, is a receive-phase cap fault, even for NBRecv.
 */
export const handleRecv = (s: KernelState, kind: SyscallName, isBlocking: boolean): Stepped => {
  const t = s.curThread;
  const cptr = getRegister(s, t, CAP_REGISTER);
  const fault = (f: Fault): Stepped => ({ state: handleFault(t, f)(s), outcome: { kind, result: faultName(f) } });
  const looked = lookupCap(s, t, cptr);
  if (E.isLeft(looked)) return fault(capFault(cptr, true, looked.left));
  const cap = looked.right;
  if (cap._tag === 'EndpointCap' && cap.canReceive) {
    const result = receiveResult(s, t, cap, isBlocking);
    const s1 = deleteCallerCap(t)(s);
    return { state: receiveIPC(t, cap, isBlocking)(s1), outcome: { kind, target: 'Endpoint', result } };
  }
  if (cap._tag === 'NotificationCap' && cap.canReceive) {
    const bound = getNotification(s, cap.ptr).boundTCB;
    if (bound === null || bound === t)
      return { state: receiveSignal(t, cap, isBlocking)(s), outcome: { kind, target: 'Notification', result: receiveResult(s, t, cap, isBlocking) } };
  }
  return fault(capFault(cptr, true, missingCapability(0)));
};

/** `handleReply`: reply through the caller slot's reply cap; an empty slot does nothing. */
export const handleReply = (s: KernelState): KernelState => {
  const t = s.curThread;
  const callerSlot = slotOf(t, TCB_CALLER);
  const cap = getCap(s, callerSlot);
  if (cap._tag === 'NullCap') return s;
  kernelAssert(cap._tag === 'ReplyCap' && !cap.master, 'handleReply: invalid caller cap');
  kernelAssert(cap.tcb !== t, 'handleReply: caller must not be the current thread');
  return doReplyTransfer(t, cap.tcb, callerSlot, cap.canGrant)(s);
};

/** `handleSyscall`: dispatch on the syscall number (an unknown number is a fault). */
export const handleSyscall = (s: KernelState, sysno: number): Stepped => {
  const name = syscallOf(sysno);
  // In C's order (handleSyscall in src/api/syscall.c), as the impl twin has it.
  switch (name) {
    case 'Send':
      return handleInvocation(s, name, false, true);
    case 'NBSend':
      return handleInvocation(s, name, false, false);
    case 'Call':
      return handleInvocation(s, name, true, true);
    case 'Recv':
      return handleRecv(s, name, true);
    case 'Reply': {
      const hasCaller = getCap(s, slotOf(s.curThread, TCB_CALLER))._tag === 'ReplyCap';
      return { state: handleReply(s), outcome: { kind: name, result: hasCaller ? 'replied' : 'no-caller' } };
    }
    case 'ReplyRecv':
      return handleRecv(handleReply(s), name, true);
    case 'NBRecv':
      return handleRecv(s, name, false);
    case 'Yield':
      return { state: handleYield(s), outcome: { kind: name, result: 'ok' } };
    case undefined: {
      const f: Fault = { _tag: 'UnknownSyscall', syscallNumber: sysno >>> 0 };
      return { state: handleFault(s.curThread, f)(s), outcome: { kind: 'UnknownSyscall', result: 'UnknownSyscall' } };
    }
  }
};
