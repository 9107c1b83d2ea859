/**
 * What an event did, in the words the coverage table counts and the reports
 * print: the spec's outcome of the event (the path the kernel took, with the
 * cap, error or fault it met) named after the invocation, and for IPC what
 * the message or signal met, judged from the spec state before the event.
 */
import type { Event, Fault, InvocationLabel, SyscallErrorName, SyscallName } from '../spec/api';
import { LABEL, invocationLabelOf } from '../spec/api';
import type { Outcome } from '../spec/kernel';
import { getEndpoint, getNotification, getTCB } from '../spec/model/heap';
import type { KernelState } from '../spec/model/state';
import type { Cap, EndpointCap, NotificationCap } from '../spec/model/structures';
import { getThreadState } from '../spec/kernel/thread';

/** The IPC objects: the coverage table names them by object and keys them by syscall (`Call(Endpoint) → delivered`). */
export const IPC_OBJECTS = ['Endpoint', 'Notification', 'Reply'] as const;
export type IPCObject = (typeof IPC_OBJECTS)[number];

/**
 * How the coverage table names an invocation: the IPC object, the label, a
 * family of labels one decoder path serves alike (`ARMPageFlush`, the four
 * cache operations on a frame; `ARMPDFlush`, on a page directory), or
 * `Invoke<Type>` for a label the type does not take.
 */
export type InvocationName = IPCObject | InvocationLabel | 'ARMPageFlush' | 'ARMPDFlush' | `Invoke${string}`;

/** The cache operations: four labels, one decode path each for frames and page directories (C decodeARMFrameInvocation, decodeARMPageDirectoryInvocation). */
const FLUSH_FAMILY: Readonly<Partial<Record<InvocationLabel, InvocationName>>> = {
  ARMPageClean_Data: 'ARMPageFlush',
  ARMPageInvalidate_Data: 'ARMPageFlush',
  ARMPageCleanInvalidate_Data: 'ARMPageFlush',
  ARMPageUnify_Instruction: 'ARMPageFlush',
  ARMPDClean_Data: 'ARMPDFlush',
  ARMPDInvalidate_Data: 'ARMPDFlush',
  ARMPDCleanInvalidate_Data: 'ARMPDFlush',
  ARMPDUnify_Instruction: 'ARMPDFlush',
};

/** What a message to an endpoint or a signal to a notification met. */
export type SendMet = 'delivered' | 'blocked' | 'dropped' | 'woke-waiter' | 'woke-bound' | 'activated' | 'merged';
/** What a receive on an endpoint or notification met. */
export type ReceiveMet = 'received' | 'received-signal' | 'blocked' | 'empty';

export type ResultName = 'ok' | SyscallErrorName | Fault['_tag'] | 'preempted' | 'NotModelled' | 'idle' | 'replied' | 'no-caller' | SendMet | ReceiveMet;

/** What the coverage table keys an event by when no invocation names it. */
export type EventName = SyscallName | 'UnknownSyscall' | Event['kind'];

/** What an event did, as the coverage table and the step reports name it. */
export interface OutcomeLabel {
  /** The syscall or event kind ('Call', 'Recv', 'tick', 'UnknownSyscall', ...). */
  readonly kind: EventName;
  /** What was invoked or waited on ('CNodeCopy', 'TCBResume', 'Endpoint', 'Notification', 'Reply', ...). */
  readonly target?: InvocationName;
  readonly result: ResultName;
}

export const isIPCObject = (name: InvocationName | undefined): name is IPCObject => IPC_OBJECTS.some((o) => o === name);

const IPC_OBJECT_OF: Readonly<Partial<Record<Cap['_tag'], IPCObject>>> = {
  EndpointCap: 'Endpoint',
  NotificationCap: 'Notification',
  ReplyCap: 'Reply',
};

/** The labels each cap type's decoder takes as its own (the rest are IllegalOperation). */
const OWN_LABELS: Readonly<Partial<Record<Cap['_tag'], readonly [number, number]>>> = {
  UntypedCap: [LABEL.UntypedRetype, LABEL.UntypedRetype],
  ThreadCap: [LABEL.TCBReadRegisters, LABEL.TCBSetFlags],
  CNodeCap: [LABEL.CNodeRevoke, LABEL.CNodeSaveCaller],
  IRQHandlerCap: [LABEL.IRQAckIRQ, LABEL.IRQClearIRQHandler],
  DomainCap: [LABEL.DomainSetSet, LABEL.DomainScheduleSetStart],
  PageDirectoryCap: [LABEL.ARMPDClean_Data, LABEL.ARMPDUnify_Instruction],
  PageTableCap: [LABEL.ARMPageTableMap, LABEL.ARMPageTableUnmap],
  FrameCap: [LABEL.ARMPageMap, LABEL.ARMPageGetAddress],
  ASIDControlCap: [LABEL.ARMASIDControlMakePool, LABEL.ARMASIDControlMakePool],
  ASIDPoolCap: [LABEL.ARMASIDPoolAssign, LABEL.ARMASIDPoolAssign],
};

/**
 * The name of an invocation of `cap` with `label`: the IPC object's name (they
 * ignore the label); the label's name when it belongs to the cap's type; else
 * `Invoke<Type>` (a wrong label is then `InvokeCNode → IllegalOperation`...).
 */
export const invocationName = (cap: Cap, label: number): InvocationName => {
  const ipc = IPC_OBJECT_OF[cap._tag];
  if (ipc !== undefined) return ipc;
  const own = OWN_LABELS[cap._tag];
  if (own !== undefined && label >= own[0] && label <= own[1]) {
    const name = invocationLabelOf(label);
    return FLUSH_FAMILY[name] ?? name;
  }
  return `Invoke${cap._tag.replace(/Cap$/, '')}`;
};

/**
 * What a performed send-side invocation met, judged from the state before it:
 * a message to an endpoint meets a waiting receiver, blocks or (NBSend) is
 * dropped; a signal wakes a waiter, wakes a bound thread blocked in Recv,
 * activates the notification or merges its badge into a pending one (the
 * branches of sendIPC in spec/object/endpoint.ts and sendSignal in
 * spec/object/notification.ts).
 */
export const sendMet = (s: KernelState, cap: Cap, isBlocking: boolean): SendMet | 'replied' | 'ok' => {
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
 * What a receive met, judged from the state before it: a queued message or a
 * pending signal it takes, or nothing, so it blocks (Recv) or returns (NBRecv)
 * (the branches of receiveIPC and receiveSignal). A pending signal on the
 * receiver's bound notification is taken before any queued message.
 */
export const receiveMet = (s: KernelState, cap: EndpointCap | NotificationCap, isBlocking: boolean): ReceiveMet => {
  const waiting = isBlocking ? 'blocked' : 'empty';
  if (cap._tag === 'EndpointCap') {
    const bound = getTCB(s, s.curThread).boundNotification;
    if (bound !== null && getNotification(s, bound).state._tag === 'ActiveNtfn') return 'received-signal';
    return getEndpoint(s, cap.ptr).state._tag === 'SendEP' ? 'received' : waiting;
  }
  return getNotification(s, cap.ptr).state._tag === 'ActiveNtfn' ? 'received' : waiting;
};

const label = (kind: EventName, result: ResultName, target?: InvocationName): OutcomeLabel => (target === undefined ? { kind, result } : { kind, target, result });

const faultName = (f: Fault): ResultName => f._tag;

const invocationLabel = (before: KernelState, o: Extract<Outcome, { _tag: 'Invocation' }>): OutcomeLabel => {
  const r = o.result;
  if (r._tag === 'LookupFault') return label(o.syscall, faultName(r.fault));
  const target = invocationName(r.cap, r.label);
  switch (r._tag) {
    case 'ExtraCapsFault':
      return label(o.syscall, faultName(r.fault), target);
    case 'SyscallError':
      return label(o.syscall, r.error._tag, target);
    case 'NotModelled':
      return label(o.syscall, 'NotModelled', target);
    case 'Preempted':
      return label(o.syscall, 'preempted', target);
    case 'Performed':
      return label(o.syscall, sendMet(before, r.cap, o.syscall !== 'NBSend'), target);
  }
};

/** An event's outcome as the coverage table and the reports name it; `before` is the spec state the event started from. */
export const labelOutcome = (before: KernelState, o: Outcome): OutcomeLabel => {
  switch (o._tag) {
    case 'Invocation':
      return invocationLabel(before, o);
    case 'Recv': {
      const r = o.result;
      if (r._tag === 'Fault') return label(o.syscall, faultName(r.fault));
      return label(o.syscall, receiveMet(before, r.cap, o.syscall !== 'NBRecv'), r._tag === 'ReceiveIPC' ? 'Endpoint' : 'Notification');
    }
    case 'Reply':
      return label('Reply', o.caller === null ? 'no-caller' : 'replied');
    case 'Yield':
      return label('Yield', 'ok');
    case 'UnknownSyscall':
      return label('UnknownSyscall', faultName(o.fault));
    case 'UserException':
      return label('exception', faultName(o.fault));
    case 'TimerTick':
      return label('tick', 'ok');
    case 'Idle':
      return label(o.event, 'idle');
    case 'NotModelled':
      return label(o.event, 'NotModelled');
  }
};

/** The event was one the spec does not model yet (it passes unchecked unless the check is strict). */
export const isNotModelled = (o: Outcome): boolean => o._tag === 'NotModelled' || (o._tag === 'Invocation' && o.result._tag === 'NotModelled');

/** How a step report prints an outcome: `Endpoint: blocked`, `CNodeCopy: ok`, `CapFault`. */
export const outcomeText = (o: OutcomeLabel): string => `${o.target === undefined ? '' : `${o.target}: `}${o.result}`;
