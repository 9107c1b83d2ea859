/**
 * Aborting IPC and signals, unbinding notifications, suspending threads, and
 * the non-recursive part of deletion (emptying a slot, deleting a cap that
 * needs no recursion). Kept apart from endpoint.ts and cnode.ts, as l4v's
 * IpcCancel_A is, so that finalisation needs neither.
 *
 * seL4: abstract spec IpcCancel_A.thy; Haskell Object/Endpoint.lhs
 * (cancelIPC, cancelAllIPC, cancelBadgedSends), Object/Notification.lhs,
 * Kernel/Thread.lhs (suspend), Object/CNode.lhs (emptySlot, cteDeleteOne).
 */
import { NEXT_IP, FAULT_IP } from '../api/registers';
import { kernelAssert, unreachable } from '../model/assert';
import { cdtChildren, cdtRemove } from '../model/cdt';
import {
  type Transition,
  getCap,
  getEndpoint,
  getNotification,
  getTCB,
  setCap,
  setEndpoint,
  setNotification,
  slotOf,
  updateTCB,
} from '../model/heap';
import { arrayRemove } from '../model/immutable';
import type { KernelState } from '../model/state';
import {
  type Cap,
  type PPtr,
  type SlotPtr,
  TCB_REPLY,
  inactive,
  restart,
} from '../model/structures';
import { isFinalCapability } from '../kernel/cspace';
import {
  getRegister,
  getThreadState,
  rescheduleRequired,
  setRegister,
  setThreadState,
  tcbSchedDequeue,
  tcbSchedEnqueue,
} from '../kernel/thread';

// ---------------------------------------------------------------- notifications

/** `cancelSignal`: a thread waiting on a notification leaves its queue and becomes Inactive. */
export const cancelSignal =
  (t: PPtr, ntfnPtr: PPtr): Transition =>
  (s) => {
    const ntfn = getNotification(s, ntfnPtr);
    kernelAssert(ntfn.state._tag === 'WaitingNtfn', 'cancelSignal: notification must be waiting');
    const queue = arrayRemove(ntfn.state.queue, t);
    const state = queue.length === 0 ? ({ _tag: 'IdleNtfn' } as const) : ({ _tag: 'WaitingNtfn', queue } as const);
    return setThreadState(inactive, t)(setNotification(ntfnPtr, { ...ntfn, state })(s));
  };

/** `cancelAllSignals`: every waiter restarts its syscall; the notification goes idle. */
export const cancelAllSignals =
  (ntfnPtr: PPtr): Transition =>
  (s) => {
    const ntfn = getNotification(s, ntfnPtr);
    if (ntfn.state._tag !== 'WaitingNtfn') return s;
    let s1 = setNotification(ntfnPtr, { ...ntfn, state: { _tag: 'IdleNtfn' } })(s);
    for (const t of ntfn.state.queue) s1 = tcbSchedEnqueue(t)(setThreadState(restart, t)(s1));
    return rescheduleRequired(s1);
  };

const doUnbindNotification =
  (ntfnPtr: PPtr, t: PPtr): Transition =>
  (s) => {
    const ntfn = getNotification(s, ntfnPtr);
    const s1 = setNotification(ntfnPtr, { ...ntfn, boundTCB: null })(s);
    return updateTCB(t, (tcb) => ({ ...tcb, boundNotification: null }))(s1);
  };

/** `unbindNotification`: the thread loses its bound notification, if any. */
export const unbindNotification =
  (t: PPtr): Transition =>
  (s) => {
    const n = getTCB(s, t).boundNotification;
    return n === null ? s : doUnbindNotification(n, t)(s);
  };

/** `unbindMaybeNotification`: the notification loses its bound thread, if any. */
export const unbindMaybeNotification =
  (ntfnPtr: PPtr): Transition =>
  (s) => {
    const t = getNotification(s, ntfnPtr).boundTCB;
    return t === null ? s : doUnbindNotification(ntfnPtr, t)(s);
  };

// ---------------------------------------------------------------- endpoints

/** `blocked_cancel_ipc`: a thread blocked on an endpoint leaves its queue and becomes Inactive. */
const blockedCancelIPC =
  (t: PPtr, epPtr: PPtr): Transition =>
  (s) => {
    const ep = getEndpoint(s, epPtr);
    kernelAssert(ep.state._tag !== 'IdleEP', 'blockedCancelIPC: endpoint must not be idle');
    const queue = arrayRemove(ep.state.queue, t);
    const state = queue.length === 0 ? ({ _tag: 'IdleEP' } as const) : { ...ep.state, queue };
    return setThreadState(inactive, t)(setEndpoint(epPtr, { ...ep, state })(s));
  };

/**
 * `reply_cancel_ipc`: a thread waiting for a reply forgets its fault and the
 * outstanding reply cap (the child of its reply master) is deleted.
 */
const replyCancelIPC =
  (t: PPtr): Transition =>
  (s) => {
    const s1 = updateTCB(t, (tcb) => ({ ...tcb, fault: null }))(s);
    const replyCaps = cdtChildren(s1, slotOf(t, TCB_REPLY));
    const child = replyCaps[0];
    return child === undefined ? s1 : cteDeleteOne(child)(s1);
  };

/** `cancelIPC`: abort whatever IPC or signal wait the thread is blocked in. */
export const cancelIPC =
  (t: PPtr): Transition =>
  (s) => {
    const st = getThreadState(s, t);
    switch (st._tag) {
      case 'BlockedOnSend':
      case 'BlockedOnReceive':
        return blockedCancelIPC(t, st.ep)(s);
      case 'BlockedOnNotification':
        return cancelSignal(t, st.ntfn)(s);
      case 'BlockedOnReply':
        return replyCancelIPC(t)(s);
      default:
        return s;
    }
  };

/** `cancelAllIPC`: every queued thread restarts its syscall; the endpoint goes idle. */
export const cancelAllIPC =
  (epPtr: PPtr): Transition =>
  (s) => {
    const ep = getEndpoint(s, epPtr);
    if (ep.state._tag === 'IdleEP') return s;
    let s1 = setEndpoint(epPtr, { _tag: 'Endpoint', state: { _tag: 'IdleEP' } })(s);
    for (const t of ep.state.queue) s1 = tcbSchedEnqueue(t)(setThreadState(restart, t)(s1));
    return rescheduleRequired(s1);
  };

/** `cancelBadgedSends`: queued senders with this badge restart; receivers are untouched. */
export const cancelBadgedSends =
  (epPtr: PPtr, badge: number): Transition =>
  (s) => {
    const ep = getEndpoint(s, epPtr);
    if (ep.state._tag !== 'SendEP') return s;
    let s1 = setEndpoint(epPtr, { _tag: 'Endpoint', state: { _tag: 'IdleEP' } })(s);
    const kept: PPtr[] = [];
    for (const t of ep.state.queue) {
      const st = getThreadState(s1, t);
      if (st._tag === 'BlockedOnSend' && st.badge === badge) s1 = tcbSchedEnqueue(t)(setThreadState(restart, t)(s1));
      else kept.push(t);
    }
    if (kept.length > 0) s1 = setEndpoint(epPtr, { _tag: 'Endpoint', state: { _tag: 'SendEP', queue: kept } })(s1);
    return rescheduleRequired(s1);
  };

// ---------------------------------------------------------------- threads

/** `suspend`: abort the thread's IPC, take it off the ready queues, make it Inactive. */
export const suspend =
  (t: PPtr): Transition =>
  (s) => {
    let s1 = cancelIPC(t)(s);
    // A running thread would continue after its current instruction, so that becomes its restart point.
    if (getThreadState(s1, t)._tag === 'Running') s1 = setRegister(t, FAULT_IP, getRegister(s1, t, NEXT_IP))(s1);
    return setThreadState(inactive, t)(tcbSchedDequeue(t)(s1));
  };

// ---------------------------------------------------------------- emptying slots

/** `postCapDeletion`: after the last IRQ handler cap is gone, the IRQ may be issued again. */
const postCapDeletion =
  (info: Cap): Transition =>
  (s) => {
    if (info._tag !== 'IRQHandlerCap') return s;
    const irqStates = s.irqStates.slice();
    irqStates[info.irq] = 'IRQInactive';
    const irqMasked = new Set(s.irqMasked).add(info.irq);
    return { ...s, irqStates, irqMasked };
  };

/** `emptySlot`: the slot becomes Null and leaves the CDT; its children move up to its parent. */
export const emptySlot =
  (slot: SlotPtr, info: Cap): Transition =>
  (s) => {
    if (getCap(s, slot)._tag === 'NullCap') return s;
    return postCapDeletion(info)(setCap(slot, { _tag: 'NullCap' })(cdtRemove(slot)(s)));
  };

/**
 * `fast_finalise`: finalisation of the cap kinds that never need recursion
 * (the only kinds cteDeleteOne meets: reply caps and an IRQ's notification cap).
 */
const fastFinalise =
  (cap: Cap, final: boolean): Transition =>
  (s) => {
    switch (cap._tag) {
      case 'NullCap':
      case 'ReplyCap':
        return s;
      case 'EndpointCap':
        return final ? cancelAllIPC(cap.ptr)(s) : s;
      case 'NotificationCap':
        return final ? cancelAllSignals(cap.ptr)(unbindMaybeNotification(cap.ptr)(s)) : s;
      default:
        return unreachable(`fastFinalise: ${cap._tag} needs a full delete`);
    }
  };

/** `cteDeleteOne`: delete a cap that cannot need recursion, without preemption. */
export const cteDeleteOne =
  (slot: SlotPtr): Transition =>
  (s) => {
    const cap = getCap(s, slot);
    if (cap._tag === 'NullCap') return s;
    const s1 = fastFinalise(cap, isFinalCapability(s, slot))(s);
    return emptySlot(slot, { _tag: 'NullCap' })(s1);
  };

/** `deletingIRQHandler`: before the last IRQ handler cap goes, drop the IRQ's notification cap. */
export const deletingIRQHandler =
  (irq: number): Transition =>
  (s: KernelState) =>
    cteDeleteOne(slotOf(s.irqNode, irq))(s);
