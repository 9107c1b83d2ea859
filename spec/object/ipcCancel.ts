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
import { flow, identity, pipe } from 'fp-ts/function';
import { NEXT_IP, FAULT_IP } from '../api/registers';
import { kernelAssert, unreachable } from '../model/assert';
import { cdtChildren, cdtRemove } from '../model/cdt';
import { type Transition, forEach, getCap, getEndpoint, getNotification, getTCB, setCap, setEndpoint, setNotification, slotOf, updateTCB } from '../model/heap';
import { arrayRemove } from '../model/immutable';
import type { KernelState } from '../model/state';
import { type Cap, type PPtr, type SlotPtr, TCB_REPLY, inactive, restart } from '../model/structures';
import { isFinalCapability } from '../kernel/cspace';
import { getRegister, getThreadState, rescheduleRequired, setRegister, setThreadState, tcbSchedDequeue, tcbSchedEnqueue } from '../kernel/thread';

// ---------------------------------------------------------------- notifications

/** `cancelSignal`: a thread waiting on a notification leaves its queue and becomes Inactive. */
export const cancelSignal =
  (t: PPtr, ntfnPtr: PPtr): Transition =>
  (s) => {
    const ntfn = getNotification(s, ntfnPtr);
    kernelAssert(ntfn.state._tag === 'WaitingNtfn', 'cancelSignal: notification must be waiting');
    const queue = arrayRemove(ntfn.state.queue, t);
    const state = queue.length === 0 ? ({ _tag: 'IdleNtfn' } as const) : ({ _tag: 'WaitingNtfn', queue } as const);
    return pipe(s, setNotification(ntfnPtr, { ...ntfn, state }), setThreadState(inactive, t));
  };

/** `setThreadState Restart; tcbSchedEnqueue`: a cancelled waiter is queued to re-run its syscall. */
const restartWaiter = (t: PPtr): Transition => flow(setThreadState(restart, t), tcbSchedEnqueue(t));

/** `cancelAllSignals`: every waiter restarts its syscall; the notification goes idle. */
export const cancelAllSignals =
  (ntfnPtr: PPtr): Transition =>
  (s) => {
    const ntfn = getNotification(s, ntfnPtr);
    if (ntfn.state._tag !== 'WaitingNtfn') return s;
    return pipe(s, setNotification(ntfnPtr, { ...ntfn, state: { _tag: 'IdleNtfn' } }), forEach(ntfn.state.queue, restartWaiter), rescheduleRequired);
  };

/** The links between a thread and a notification, both ways: set by a bind, cleared by an unbind. */
export const setNotificationBinding =
  (ntfnPtr: PPtr, t: PPtr, bound: boolean): Transition =>
  (s) =>
    pipe(
      s,
      setNotification(ntfnPtr, { ...getNotification(s, ntfnPtr), boundTCB: bound ? t : null }),
      updateTCB(t, (tcb) => ({ ...tcb, boundNotification: bound ? ntfnPtr : null })),
    );

const doUnbindNotification = (ntfnPtr: PPtr, t: PPtr): Transition => setNotificationBinding(ntfnPtr, t, false);

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
    return pipe(s, setEndpoint(epPtr, { ...ep, state }), setThreadState(inactive, t));
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
    return pipe(s, setEndpoint(epPtr, { _tag: 'Endpoint', state: { _tag: 'IdleEP' } }), forEach(ep.state.queue, restartWaiter), rescheduleRequired);
  };

/** `cancelBadgedSends`: queued senders with this badge restart; receivers are untouched. */
export const cancelBadgedSends =
  (epPtr: PPtr, badge: number): Transition =>
  (s) => {
    const ep = getEndpoint(s, epPtr);
    if (ep.state._tag !== 'SendEP') return s;
    // Haskell's filterM over the queue: each sender with the badge restarts, the others stay queued in order.
    const { state: s1, kept } = ep.state.queue.reduce<{ readonly state: KernelState; readonly kept: readonly PPtr[] }>(
      (acc, t) => {
        const st = getThreadState(acc.state, t);
        return st._tag === 'BlockedOnSend' && st.badge === badge ? { state: restartWaiter(t)(acc.state), kept: acc.kept } : { state: acc.state, kept: [...acc.kept, t] };
      },
      { state: setEndpoint(epPtr, { _tag: 'Endpoint', state: { _tag: 'IdleEP' } })(s), kept: [] },
    );
    return pipe(s1, kept.length > 0 ? setEndpoint(epPtr, { _tag: 'Endpoint', state: { _tag: 'SendEP', queue: kept } }) : identity, rescheduleRequired);
  };

// ---------------------------------------------------------------- threads

/** `updateRestartPC`: the thread will resume after its current instruction, not re-run it. */
const updateRestartPC =
  (t: PPtr): Transition =>
  (s) =>
    setRegister(t, FAULT_IP, getRegister(s, t, NEXT_IP))(s);

/** `suspend`: abort the thread's IPC, take it off the ready queues, make it Inactive. */
export const suspend = (t: PPtr): Transition =>
  flow(
    cancelIPC(t),
    // A running thread would continue after its current instruction, so that becomes its restart point.
    (s) => (getThreadState(s, t)._tag === 'Running' ? updateRestartPC(t)(s) : s),
    tcbSchedDequeue(t),
    setThreadState(inactive, t),
  );

// ---------------------------------------------------------------- emptying slots

/** `postCapDeletion`: after the last IRQ handler cap is gone, the IRQ may be issued again. */
const postCapDeletion =
  (info: Cap): Transition =>
  (s) => {
    if (info._tag !== 'IRQHandlerCap') return s;
    const irqStates = s.irqStates.slice();
    irqStates[info.irq] = 'IRQInactive';
    const irqMasked = s.irqMasked.add(info.irq);
    return { ...s, irqStates, irqMasked };
  };

/** `emptySlot`: the slot becomes Null and leaves the CDT; its children move up to its parent. */
export const emptySlot =
  (slot: SlotPtr, info: Cap): Transition =>
  (s) => {
    if (getCap(s, slot)._tag === 'NullCap') return s;
    return pipe(s, cdtRemove(slot), setCap(slot, { _tag: 'NullCap' }), postCapDeletion(info));
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
        return pipe(s, final ? cancelAllIPC(cap.ptr) : identity);
      case 'NotificationCap':
        return pipe(s, final ? flow(unbindMaybeNotification(cap.ptr), cancelAllSignals(cap.ptr)) : identity);
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
    return pipe(s, fastFinalise(cap, isFinalCapability(s, slot)), emptySlot(slot, { _tag: 'NullCap' }));
  };

/** `deletingIRQHandler`: before the last IRQ handler cap goes, drop the IRQ's notification cap. */
export const deletingIRQHandler =
  (irq: number): Transition =>
  (s: KernelState) =>
    cteDeleteOne(slotOf(s.irqNode, irq))(s);
