/**
 * Bugs in IPC, notifications and the scheduler's queues: a message, a reply,
 * a signal or a thread that ends up in the wrong place.
 */
import { BADGE_REGISTER } from '../../spec/api';
import { doIPCTransfer, doNormalTransfer, doReplyTransfer, sendIPC } from '../../impl/object/endpoint';
import { sendSignal } from '../../impl/object/notification';
import { cancelIPC } from '../../impl/object/ipcCancel';
import { EP_QUEUE, getQueue, tcbEPDequeue } from '../../impl/object/tcbQueue';
import { outrankedByCurrent, possibleSwitchTo, removeFromBitmap, setThreadState, timerTick } from '../../impl/kernel/thread';
import { objGet, objSet, setRegister, tcbGet, tcbSet, threadStateType, tsGet } from '../../impl/model/heap';
import { EP_IDLE, Endpoint, NTFN_ACTIVE, Notification, TS, Tcb, ThreadStateW } from '../../impl/model/layout';
import { hasFault } from '../../impl/model/fault';
import { patch } from '../../impl/model/seam';
import type { Mutant } from './mutant';

export const THREAD_MUTANTS = [
  {
    name: 'badge-not-delivered',
    description: "a message transfer leaves 0 in the receiver's badge register",
    checker: 'refinement',
    patches: [
      patch(doNormalTransfer, (transfer) => (k, sender, sendBuffer, ep, badge, canGrant, receiver, recvBuffer) => {
        transfer(k, sender, sendBuffer, ep, badge, canGrant, receiver, recvBuffer);
        setRegister(k, receiver, BADGE_REGISTER, 0);
      }),
    ],
  },
  {
    name: 'reply-cap-reusable',
    description: 'a reply does not consume the reply cap, so it can be used again',
    checker: 'refinement',
    patches: [
      // doReplyTransfer's ordinary (no fault) case without its cteDeleteOne; a fault reply is left as it is.
      patch(doReplyTransfer, (reply) => (k, sender, receiver, slot, grant) => {
        if (threadStateType(k, receiver) !== TS.BlockedOnReply || hasFault(k, receiver)) return reply(k, sender, receiver, slot, grant);
        doIPCTransfer(k, sender, 0, 0, grant, receiver);
        setThreadState(k, receiver, TS.Running);
        possibleSwitchTo(k, receiver);
      }),
    ],
  },
  {
    name: 'nbsend-blocks',
    description: 'NBSend to an endpoint without a waiting receiver blocks the sender',
    checker: 'refinement',
    // Only the no-receiver case reads `blocking`.
    patches: [
      patch(
        sendIPC,
        (send) =>
          (k, _blocking, ...rest) =>
            send(k, true, ...rest),
      ),
    ],
  },
  {
    name: 'bitmap-l1-left-set',
    description: 'dequeuing the last thread of a priority group leaves its L1 bitmap bit set',
    checker: 'refinement',
    patches: [
      patch(removeFromBitmap, (remove) => (k, dom, prio) => {
        const l1 = k.ksReadyQueuesL1Bitmap.get(dom);
        remove(k, dom, prio);
        k.ksReadyQueuesL1Bitmap.set(dom, l1);
      }),
    ],
  },
  {
    name: 'queue-tail-not-updated',
    description: "removing the last thread of an endpoint queue leaves the queue's tail pointing at it",
    checker: 'refinement',
    patches: [
      patch(tcbEPDequeue, (dequeue) => (k, t, q) => {
        const wasLast = tcbGet(k, t, Tcb.epNext) === 0;
        const end = q.end;
        const rest = dequeue(k, t, q);
        if (wasLast) rest.end = end;
        return rest;
      }),
    ],
  },
  {
    name: 'signal-overwrites-badge',
    description: 'Signal on an active notification replaces the badge word instead of ORing into it',
    checker: 'refinement',
    patches: [
      patch(sendSignal, (signal) => (k, ntfn, badge) => {
        const active = objGet(k, ntfn, Notification.state) === NTFN_ACTIVE;
        signal(k, ntfn, badge);
        if (active) objSet(k, ntfn, Notification.msgIdentifier, badge);
      }),
    ],
  },
  {
    name: 'switch-compares-wrong-way',
    description: 'a thread woken by IPC is checked for priority the wrong way round before switching to it directly',
    checker: 'refinement',
    patches: [patch(outrankedByCurrent, () => (k, cur, targetPrio, curPrio) => cur === k.ksIdleThread || targetPrio > curPrio)],
  },
  {
    name: 'timeslice-not-refilled',
    description: 'a thread whose time slice ran out goes to the back of its queue without a fresh slice',
    checker: 'refinement',
    patches: [
      patch(timerTick, (tick) => (k) => {
        const cur = k.ksCurThread;
        const expires = threadStateType(k, cur) === TS.Running && tcbGet(k, cur, Tcb.timeSlice) <= 1;
        const slice = tcbGet(k, cur, Tcb.timeSlice);
        tick(k);
        if (expires) tcbSet(k, cur, Tcb.timeSlice, slice);
      }),
    ],
  },
  {
    name: 'cancel-leaves-thread-linked',
    description: 'cancelling a blocked IPC does not unlink the thread from the endpoint queue',
    checker: 'refinement',
    patches: [
      // cancelIPC's endpoint case without the tcbEPDequeue; the other cases are left as they are.
      patch(cancelIPC, (cancel) => (k, t) => {
        const state = threadStateType(k, t);
        if (state !== TS.BlockedOnSend && state !== TS.BlockedOnReceive) return cancel(k, t);
        const ep = tsGet(k, t, ThreadStateW.blockingObject);
        if (getQueue(k, ep, EP_QUEUE).head === 0) objSet(k, ep, Endpoint.state, EP_IDLE);
        setThreadState(k, t, TS.Inactive);
      }),
    ],
  },
] as const satisfies readonly Mutant[];
