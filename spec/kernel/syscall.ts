/**
 * The system calls: Send, NBSend and Call invoke a cap (lookup, extra caps,
 * decode, perform; only Call gets an error reply); Recv and NBRecv wait on an
 * endpoint or notification; Reply answers the last caller; Yield gives up the
 * processor. Each handler also returns which of seL4's paths it took, with
 * the cap, decoded invocation, error or fault it met on the way.
 *
 * seL4: Haskell API/Syscall.lhs (handleInvocation, handleRecv, handleReply,
 * handleYield); abstract spec Syscall_A.thy; C src/api/syscall.c.
 */
import * as E from 'fp-ts/Either';
import { identity, pipe } from 'fp-ts/function';
import { N_MSG_REGISTERS } from '../api/config';
import { type Fault, type SyscallError, capFault, missingCapability, syscallErrorToMessage } from '../api/errors';
import { CAP_REGISTER } from '../api/registers';
import { type SyscallName, syscallOf } from '../api/syscall';
import { getCap, getNotification, slotOf } from '../model/heap';
import type { KernelState } from '../model/state';
import { type Cap, type EndpointCap, type NotificationCap, type PPtr, TCB_CALLER } from '../model/structures';
import { deleteCallerCap, doReplyTransfer, receiveIPC, replyFromKernel } from '../object/endpoint';
import { type Invocation, decodeInvocation, performInvocation } from '../object/invocation';
import { receiveSignal } from '../object/notification';
import { lookupCap, lookupCapAndSlot } from './cspace';
import { handleFault } from './faultHandler';
import { getMessageInfo, getMRs, lookupExtraCaps } from './message';
import { getRegister, getThreadState, handleYield, setThreadState } from './thread';
import { lookupIPCBuffer } from './vspace';
import { kernelAssert } from '../model/assert';

/** The syscalls that invoke a cap (`handleInvocation`), and those that receive (`handleRecv`). */
export type InvocationSyscall = Extract<SyscallName, 'Send' | 'NBSend' | 'Call'>;
export type RecvSyscall = Extract<SyscallName, 'Recv' | 'NBRecv' | 'ReplyRecv'>;

/** A decoded invocation the model performs (not one it leaves unmodelled). */
export type ModelledInvocation = Exclude<Invocation, { readonly _tag: 'NotModelled' }>;

/**
 * Where `handleInvocation` stopped. Past the lookup it knows the invoked cap
 * and the label it was invoked with; a performed or preempted invocation
 * carries what it decoded to.
 */
export type InvocationOutcome =
  /** The cptr does not resolve: a cap fault (which NBSend ignores). */
  | { readonly _tag: 'LookupFault'; readonly fault: Fault }
  /** An extra cap does not resolve: a cap fault (which NBSend ignores). */
  | { readonly _tag: 'ExtraCapsFault'; readonly cap: Cap; readonly label: number; readonly fault: Fault }
  /** The decoder refused: the error is replied to a Call and dropped otherwise. */
  | { readonly _tag: 'SyscallError'; readonly cap: Cap; readonly label: number; readonly error: SyscallError }
  /** An invocation of an object the model does not cover yet: nothing happens. */
  | { readonly _tag: 'NotModelled'; readonly cap: Cap; readonly label: number; readonly what: string }
  /** Performing it was preempted: the caller restarts the syscall later. */
  | { readonly _tag: 'Preempted'; readonly cap: Cap; readonly label: number; readonly invocation: ModelledInvocation }
  /** Performed to completion (an IPC may have left the caller blocked). */
  | { readonly _tag: 'Performed'; readonly cap: Cap; readonly label: number; readonly invocation: ModelledInvocation };

/** What `handleRecv` did: a receive-phase cap fault, or `receiveIPC` / `receiveSignal` on the cap. */
export type RecvOutcome =
  | { readonly _tag: 'Fault'; readonly fault: Fault }
  | { readonly _tag: 'ReceiveIPC'; readonly cap: EndpointCap }
  | { readonly _tag: 'ReceiveSignal'; readonly cap: NotificationCap };

/** What `handleReply` did: a reply to the caller its reply cap names, or nothing (no caller). */
export interface ReplyOutcome {
  readonly _tag: 'Reply';
  readonly caller: PPtr | null;
}

/** What `handleSyscall` did, by the handler the syscall number chose. */
export type SyscallOutcome =
  | { readonly _tag: 'Invocation'; readonly syscall: InvocationSyscall; readonly result: InvocationOutcome }
  | { readonly _tag: 'Recv'; readonly syscall: RecvSyscall; readonly result: RecvOutcome }
  | ReplyOutcome
  | { readonly _tag: 'Yield' }
  /** A number that names no syscall: an UnknownSyscall fault. */
  | { readonly _tag: 'UnknownSyscall'; readonly fault: Fault };

/** A handler's next state and what it did. */
export interface Stepped<O> {
  readonly state: KernelState;
  readonly outcome: O;
}

/**
 * `handleInvocation`: the Send/NBSend/Call path. A failed lookup is a fault
 * for the blocking variants and ignored by NBSend; a decode error is replied
 * to a Call and dropped otherwise; an invocation that leaves the caller in
 * Restart completes with the kernel's reply (for Call) and the caller running.
 */
export const handleInvocation = (s: KernelState, isCall: boolean, isBlocking: boolean): Stepped<InvocationOutcome> => {
  const t = s.curThread;
  const info = getMessageInfo(s, t);
  const cptr = getRegister(s, t, CAP_REGISTER);
  const faulted = (f: Fault): KernelState => (isBlocking ? handleFault(t, f)(s) : s);

  const looked = lookupCapAndSlot(s, t, cptr);
  if (E.isLeft(looked)) {
    const fault = capFault(cptr, false, looked.left);
    return { state: faulted(fault), outcome: { _tag: 'LookupFault', fault } };
  }
  const { cap, slot } = looked.right;
  const label = info.label;
  const buffer = lookupIPCBuffer(s, false, t);
  const extra = lookupExtraCaps(s, t, buffer, info);
  if (E.isLeft(extra)) return { state: faulted(extra.left), outcome: { _tag: 'ExtraCapsFault', cap, label, fault: extra.left } };

  // Without an IPC buffer only the register MRs exist.
  const length = info.length > N_MSG_REGISTERS && buffer === null ? N_MSG_REGISTERS : info.length;
  const args = getMRs(s, t, buffer, length);
  const decoded = decodeInvocation(s, label, args, slot, cap, extra.right);
  if (E.isLeft(decoded)) {
    const error = decoded.left;
    const msg = syscallErrorToMessage(error);
    return { state: isCall ? replyFromKernel(t, msg.label, msg.words)(s) : s, outcome: { _tag: 'SyscallError', cap, label, error } };
  }
  const invocation = decoded.right;
  if (invocation._tag === 'NotModelled') return { state: s, outcome: { _tag: 'NotModelled', cap, label, what: invocation.what } };

  const s1 = setThreadState({ _tag: 'Restart' }, t)(s);
  const done = performInvocation(invocation, isBlocking, isCall)(s1);
  if (done.preempted) return { state: done.state, outcome: { _tag: 'Preempted', cap, label, invocation } };
  // Still in Restart: the invocation completed, so the caller gets the kernel's reply (a Call) and runs on.
  const completed = getThreadState(done.state, t)._tag === 'Restart';
  const state = completed ? pipe(done.state, isCall ? replyFromKernel(t, 0, done.reply) : identity, setThreadState({ _tag: 'Running' }, t)) : done.state;
  return { state, outcome: { _tag: 'Performed', cap, label, invocation } };
};

/**
 * `handleRecv`: wait on an endpoint (after destroying any unused reply cap) or
 * on a notification that is unbound or bound to this thread. Anything else,
 * including a failed lookup, is a receive-phase cap fault, even for NBRecv.
 */
export const handleRecv = (s: KernelState, isBlocking: boolean): Stepped<RecvOutcome> => {
  const t = s.curThread;
  const cptr = getRegister(s, t, CAP_REGISTER);
  const faulted = (fault: Fault): Stepped<RecvOutcome> => ({ state: handleFault(t, fault)(s), outcome: { _tag: 'Fault', fault } });
  const looked = lookupCap(s, t, cptr);
  if (E.isLeft(looked)) return faulted(capFault(cptr, true, looked.left));
  const cap = looked.right;
  if (cap._tag === 'EndpointCap' && cap.canReceive) {
    const s1 = deleteCallerCap(t)(s);
    return { state: receiveIPC(t, cap, isBlocking)(s1), outcome: { _tag: 'ReceiveIPC', cap } };
  }
  if (cap._tag === 'NotificationCap' && cap.canReceive) {
    const bound = getNotification(s, cap.ptr).boundTCB;
    if (bound === null || bound === t) return { state: receiveSignal(t, cap, isBlocking)(s), outcome: { _tag: 'ReceiveSignal', cap } };
  }
  return faulted(capFault(cptr, true, missingCapability(0)));
};

/** `handleReply`: reply through the caller slot's reply cap; an empty slot does nothing. */
export const handleReply = (s: KernelState): Stepped<ReplyOutcome> => {
  const t = s.curThread;
  const callerSlot = slotOf(t, TCB_CALLER);
  const cap = getCap(s, callerSlot);
  if (cap._tag === 'NullCap') return { state: s, outcome: { _tag: 'Reply', caller: null } };
  kernelAssert(cap._tag === 'ReplyCap' && !cap.master, 'handleReply: invalid caller cap');
  kernelAssert(cap.tcb !== t, 'handleReply: caller must not be the current thread');
  return { state: doReplyTransfer(t, cap.tcb, callerSlot, cap.canGrant)(s), outcome: { _tag: 'Reply', caller: cap.tcb } };
};

const invoked =
  (syscall: InvocationSyscall) =>
  (r: Stepped<InvocationOutcome>): Stepped<SyscallOutcome> => ({
    state: r.state,
    outcome: { _tag: 'Invocation', syscall, result: r.outcome },
  });

const received =
  (syscall: RecvSyscall) =>
  (r: Stepped<RecvOutcome>): Stepped<SyscallOutcome> => ({ state: r.state, outcome: { _tag: 'Recv', syscall, result: r.outcome } });

/** `handleSyscall`: dispatch on the syscall number (an unknown number is a fault). */
export const handleSyscall = (s: KernelState, sysno: number): Stepped<SyscallOutcome> => {
  const name = syscallOf(sysno);
  // In C's order (handleSyscall in src/api/syscall.c), as the impl twin has it.
  switch (name) {
    case 'Send':
      return invoked(name)(handleInvocation(s, false, true));
    case 'NBSend':
      return invoked(name)(handleInvocation(s, false, false));
    case 'Call':
      return invoked(name)(handleInvocation(s, true, true));
    case 'Recv':
      return received(name)(handleRecv(s, true));
    case 'Reply':
      return handleReply(s);
    case 'ReplyRecv':
      return received(name)(handleRecv(handleReply(s).state, true));
    case 'NBRecv':
      return received(name)(handleRecv(s, false));
    case 'Yield':
      return { state: handleYield(s), outcome: { _tag: 'Yield' } };
    case null: {
      const fault: Fault = { _tag: 'UnknownSyscall', syscallNumber: sysno >>> 0 };
      return { state: handleFault(s.curThread, fault)(s), outcome: { _tag: 'UnknownSyscall', fault } };
    }
  }
};
