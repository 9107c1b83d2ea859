/**
 * Synchronous IPC through endpoints: blocking and non-blocking send and
 * receive with FIFO queues, message and cap transfer (with unwrapping of caps
 * to the same endpoint), Call's one-shot reply cap in the receiver's caller
 * slot, replies (including replies to fault messages), and kernel replies.
 *
 * seL4: Haskell Object/Endpoint.lhs (sendIPC, receiveIPC, replyFromKernel),
 * Kernel/Thread.lhs (doIPCTransfer, doReplyTransfer, transferCaps),
 * Object/TCB.lhs (setupCallerCap, deleteCallerCap), API/Faults.lhs
 * (makeFaultMessage, handleFaultReply); abstract spec Ipc_A.thy; C
 * src/object/endpoint.c, src/kernel/thread.c, src/api/faults.c.
 */
import * as E from 'fp-ts/Either';
import { flow, identity, pipe } from 'fp-ts/function';
import { type Fault, FAULT_LABEL, lookupFailureWords } from '../api/errors';
import { IPCBUF_CAPS_OR_BADGES } from '../api/ipcBuffer';
import type { MessageInfo } from '../api/messageInfo';
import { BADGE_REGISTER, EXCEPTION_MESSAGE, FAULT_IP, SYSCALL_MESSAGE, sanitiseRegister } from '../api/registers';
import { kernelAssert, unreachable } from '../model/assert';
import { type Transition, getEndpoint, getNotification, getTCB, setEndpoint, slotOf, storeWord, updateTCB } from '../model/heap';
import type { KernelState } from '../model/state';
import { type CapAndSlot, deriveCap } from '../kernel/cspace';
import { type Cap, type EndpointState, type PPtr, type SlotPtr, TCB_CALLER, TCB_REPLY, blockedOnReply, inactive, restart, running } from '../model/structures';
import { bufferWord, copyMRs, getMessageInfo, getMRs, getReceiveSlots, lookupExtraCaps, setMessageInfo, setMRs } from '../kernel/message';
import { getRegister, getThreadState, possibleSwitchTo, setRegister, setRegisters, setThreadState } from '../kernel/thread';
import { lookupIPCBuffer } from '../kernel/vspace';
import { cteInsert } from './cnode';
import { cteDeleteOne } from './ipcCancel';
import { completeSignal } from './notification';

const epQueue = (st: EndpointState): readonly PPtr[] => (st._tag === 'IdleEP' ? [] : st.queue);

// ---------------------------------------------------------------- message transfer

interface Transferred {
  readonly state: KernelState;
  readonly info: MessageInfo;
}

/**
 * `transferCapsToSlots`: hand the extra caps over in order (at most three, so
 * the recursion is shallow). A cap to the very endpoint of this IPC is
 * unwrapped (its badge is delivered instead); any other cap needs the one
 * receive slot and is derived into it. The first cap that cannot be handled
 * ends the transfer; `n` caps have been handed over so far.
 */
const transferCapsToSlots =
  (ep: PPtr | null, recvBuffer: number, n: number, caps: readonly CapAndSlot[], slots: readonly SlotPtr[], mi: MessageInfo) =>
  (s: KernelState): Transferred => {
    const [first, ...rest] = caps;
    const stop: Transferred = { state: s, info: { ...mi, extraCaps: n } };
    if (first === undefined) return stop;
    const { cap, slot: srcSlot } = first;
    if (cap._tag === 'EndpointCap' && ep !== null && cap.ptr === ep)
      return pipe(
        s,
        storeWord(bufferWord(recvBuffer, IPCBUF_CAPS_OR_BADGES + n), cap.badge),
        transferCapsToSlots(ep, recvBuffer, n + 1, rest, slots, { ...mi, capsUnwrapped: mi.capsUnwrapped | (1 << n) }),
      );
    const [dest, ...otherSlots] = slots;
    if (dest === undefined) return stop;
    const derived = deriveCap(s, srcSlot, cap);
    if (E.isLeft(derived) || derived.right._tag === 'NullCap') return stop;
    return pipe(s, cteInsert(derived.right, srcSlot, dest), transferCapsToSlots(ep, recvBuffer, n + 1, rest, otherSlots, mi));
  };

/** `transferCaps`: without a receive buffer no cap is transferred. */
const transferCaps = (s: KernelState, info: MessageInfo, caps: readonly CapAndSlot[], ep: PPtr | null, receiver: PPtr, recvBuffer: number | null): Transferred => {
  const base: MessageInfo = { ...info, extraCaps: 0, capsUnwrapped: 0 };
  if (recvBuffer === null) return { state: s, info: base };
  return transferCapsToSlots(ep, recvBuffer, 0, caps, getReceiveSlots(s, receiver, recvBuffer), base)(s);
};

/** `doNormalTransfer`: message registers, then caps (only with grant), then info and badge. */
const doNormalTransfer = (
  s: KernelState,
  sender: PPtr,
  sendBuffer: number | null,
  ep: PPtr | null,
  badge: number,
  canGrant: boolean,
  receiver: PPtr,
  recvBuffer: number | null,
): KernelState => {
  const tag = getMessageInfo(s, sender);
  const looked = canGrant ? lookupExtraCaps(s, sender, sendBuffer, tag) : E.right([]);
  const caps = E.isRight(looked) ? looked.right : [];
  const copied = copyMRs(sender, sendBuffer, receiver, recvBuffer, tag.length)(s);
  const transferred = transferCaps(copied.state, tag, caps, ep, receiver, recvBuffer);
  return pipe(transferred.state, setMessageInfo(receiver, { ...transferred.info, length: copied.length }), setRegister(receiver, BADGE_REGISTER, badge));
};

/** `makeFaultMessage`: the label and words a fault is reported with. */
export const makeFaultMessage = (s: KernelState, f: Fault, t: PPtr): { label: number; words: number[] } => {
  switch (f._tag) {
    case 'CapFault':
      return {
        label: FAULT_LABEL.CapFault,
        words: [getRegister(s, t, FAULT_IP), f.address, f.inReceivePhase ? 1 : 0, ...lookupFailureWords(f.failure)],
      };
    case 'UnknownSyscall':
      return { label: FAULT_LABEL.UnknownSyscall, words: [...SYSCALL_MESSAGE.map((r) => getRegister(s, t, r)), f.syscallNumber] };
    case 'UserException':
      return { label: FAULT_LABEL.UserException, words: [...EXCEPTION_MESSAGE.map((r) => getRegister(s, t, r)), f.number, f.code] };
    case 'VMFault':
      return {
        label: FAULT_LABEL.VMFault,
        words: [getRegister(s, t, FAULT_IP), f.address, f.instructionFault ? 1 : 0, f.fsr],
      };
  }
};

/** `doFaultTransfer`: the receiver gets the sender's fault message instead of its MRs. */
const doFaultTransfer = (s: KernelState, badge: number, sender: PPtr, receiver: PPtr, recvBuffer: number | null): KernelState => {
  const fault = getTCB(s, sender).fault;
  kernelAssert(fault !== null, 'doFaultTransfer: no fault found');
  const msg = makeFaultMessage(s, fault, sender);
  const sent = setMRs(receiver, recvBuffer, msg.words)(s);
  return pipe(sent.state, setMessageInfo(receiver, { label: msg.label, capsUnwrapped: 0, extraCaps: 0, length: sent.length }), setRegister(receiver, BADGE_REGISTER, badge));
};

/** `doIPCTransfer`: a fault message if the sender has a fault, else a normal transfer. */
export const doIPCTransfer =
  (sender: PPtr, ep: PPtr | null, badge: number, canGrant: boolean, receiver: PPtr): Transition =>
  (s) => {
    const recvBuffer = lookupIPCBuffer(s, true, receiver);
    if (getTCB(s, sender).fault !== null) return doFaultTransfer(s, badge, sender, receiver, recvBuffer);
    return doNormalTransfer(s, sender, lookupIPCBuffer(s, false, sender), ep, badge, canGrant, receiver, recvBuffer);
  };

// ---------------------------------------------------------------- reply caps

/** `setupCallerCap`: the sender waits for a reply; the receiver's caller slot gets the one reply cap. */
export const setupCallerCap = (sender: PPtr, receiver: PPtr, canGrant: boolean): Transition =>
  flow(setThreadState(blockedOnReply, sender), cteInsert({ _tag: 'ReplyCap', tcb: sender, master: false, canGrant }, slotOf(sender, TCB_REPLY), slotOf(receiver, TCB_CALLER)));

/** `deleteCallerCap`: a new Recv first destroys any unused reply cap in the caller slot. */
export const deleteCallerCap = (receiver: PPtr): Transition => cteDeleteOne(slotOf(receiver, TCB_CALLER));

/** `handleFaultReply`: apply a handler's reply to the faulted thread; true means restart it. */
const handleFaultReply = (f: Fault, t: PPtr, label: number, msg: readonly number[]): { restart: boolean; tr: Transition } => {
  switch (f._tag) {
    case 'CapFault':
    case 'VMFault':
      return { restart: true, tr: identity };
    case 'UnknownSyscall':
    case 'UserException': {
      const regs = f._tag === 'UnknownSyscall' ? SYSCALL_MESSAGE : EXCEPTION_MESSAGE;
      const k = Math.min(msg.length, regs.length);
      const values = regs.slice(0, k).map((r, i) => sanitiseRegister(r, msg[i] ?? 0));
      return { restart: label === 0, tr: setRegisters(t, regs.slice(0, k), values) };
    }
  }
};

/**
 * `doReplyTransfer`: deliver a reply to a thread waiting in BlockedOnReply and
 * consume the reply cap. A reply to a fault message instead updates the
 * faulted thread's registers and decides whether it restarts.
 */
export const doReplyTransfer =
  (replier: PPtr, caller: PPtr, slot: SlotPtr, grant: boolean): Transition =>
  (s) => {
    kernelAssert(getThreadState(s, caller)._tag === 'BlockedOnReply', 'reply transfer to a thread that is not waiting');
    const fault = getTCB(s, caller).fault;
    if (fault === null) return pipe(s, doIPCTransfer(replier, null, 0, grant, caller), cteDeleteOne(slot), setThreadState(running, caller), possibleSwitchTo(caller));
    const s1 = cteDeleteOne(slot)(s);
    const tag = getMessageInfo(s1, replier);
    const mrs = getMRs(s1, replier, lookupIPCBuffer(s1, false, replier), tag.length);
    const { restart: again, tr } = handleFaultReply(fault, caller, tag.label, mrs);
    return pipe(
      s1,
      tr,
      updateTCB(caller, (t) => ({ ...t, fault: null })),
      again ? flow(setThreadState(restart, caller), possibleSwitchTo(caller)) : setThreadState(inactive, caller),
    );
  };

// ---------------------------------------------------------------- send and receive

/**
 * `sendIPC`: with a receiver waiting, transfer to the first one and wake it
 * (a Call then waits for the reply, or dies without reply rights); otherwise a
 * blocking send queues the sender and a non-blocking one does nothing.
 */
export const sendIPC =
  (blocking: boolean, call: boolean, badge: number, canGrant: boolean, canGrantReply: boolean, thread: PPtr, epPtr: PPtr): Transition =>
  (s) => {
    const ep = getEndpoint(s, epPtr);
    if (ep.state._tag !== 'RecvEP') {
      if (!blocking) return s;
      return pipe(
        s,
        setThreadState({ _tag: 'BlockedOnSend', ep: epPtr, badge, canGrant, canGrantReply, isCall: call }, thread),
        setEndpoint(epPtr, { _tag: 'Endpoint', state: { _tag: 'SendEP', queue: [...epQueue(ep.state), thread] } }),
      );
    }
    const [dest, ...rest] = ep.state.queue;
    kernelAssert(dest !== undefined, 'receive endpoint queue must not be empty');
    // Read before the endpoint update (seL4 reads it after), which cannot change it.
    const recvState = getThreadState(s, dest);
    kernelAssert(recvState._tag === 'BlockedOnReceive', 'a thread in a receive queue must be receiving');
    return pipe(
      s,
      setEndpoint(epPtr, { _tag: 'Endpoint', state: rest.length === 0 ? { _tag: 'IdleEP' } : { _tag: 'RecvEP', queue: rest } }),
      doIPCTransfer(thread, epPtr, badge, canGrant, dest),
      setThreadState(running, dest),
      possibleSwitchTo(dest),
      // A Call waits for the reply if it may get one, else it is done.
      !call ? identity : canGrant || canGrantReply ? setupCallerCap(thread, dest, recvState.canGrant) : setThreadState(inactive, thread),
    );
  };

/**
 * `receiveIPC`: an active bound notification is consumed first; else take the
 * first queued sender, or block (or, non-blocking, just clear the badge).
 */
export const receiveIPC =
  (thread: PPtr, cap: Cap, blocking: boolean): Transition =>
  (s) => {
    if (cap._tag !== 'EndpointCap') return unreachable('receiveIPC: invalid cap');
    const epPtr = cap.ptr;
    const bound = getTCB(s, thread).boundNotification;
    if (bound !== null && getNotification(s, bound).state._tag === 'ActiveNtfn') return completeSignal(bound, thread)(s);
    const ep = getEndpoint(s, epPtr);
    if (ep.state._tag !== 'SendEP') {
      if (!blocking) return setRegister(thread, BADGE_REGISTER, 0)(s);
      return pipe(
        s,
        setThreadState({ _tag: 'BlockedOnReceive', ep: epPtr, canGrant: cap.canGrant }, thread),
        setEndpoint(epPtr, { _tag: 'Endpoint', state: { _tag: 'RecvEP', queue: [...epQueue(ep.state), thread] } }),
      );
    }
    const [sender, ...rest] = ep.state.queue;
    kernelAssert(sender !== undefined, 'send endpoint queue must not be empty');
    // Read before the endpoint update (seL4 reads it after), which cannot change it.
    const st = getThreadState(s, sender);
    kernelAssert(st._tag === 'BlockedOnSend', 'a thread in a send queue must be sending');
    return pipe(
      s,
      setEndpoint(epPtr, { _tag: 'Endpoint', state: rest.length === 0 ? { _tag: 'IdleEP' } : { _tag: 'SendEP', queue: rest } }),
      doIPCTransfer(sender, epPtr, st.badge, st.canGrant, thread),
      // A Send's sender runs on; a Call's waits for the reply if it may get one, else it is done.
      !st.isCall
        ? flow(setThreadState(running, sender), possibleSwitchTo(sender))
        : st.canGrant || st.canGrantReply
          ? setupCallerCap(sender, thread, cap.canGrant)
          : setThreadState(inactive, sender),
    );
  };

/** `replyFromKernel`: the kernel's own reply to a Call (badge 0, the given label and words). */
export const replyFromKernel =
  (t: PPtr, label: number, words: readonly number[]): Transition =>
  (s) => {
    const buffer = lookupIPCBuffer(s, true, t);
    const sent = pipe(s, setRegister(t, BADGE_REGISTER, 0), setMRs(t, buffer, words));
    return setMessageInfo(t, { label, capsUnwrapped: 0, extraCaps: 0, length: sent.length })(sent.state);
  };
