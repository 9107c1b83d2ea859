/**
 * Bugs in the IPC fastpath (impl/fastpath/fastpath.ts): checks it skips and
 * words it writes wrong. Only a comparison with the slow path (or the spec)
 * can see them, as the fastpath runs only when its checks pass.
 */
import { CAP_REGISTER, TCB_CALLER, TCB_CTABLE, mask } from '../../spec/api';
import {
  deleteReplyCapFp,
  dequeueReceiverFp,
  endpointCapCanReceive,
  boundNotificationActive,
  insertReplyCapFp,
  lookupFp,
  messageInfoCheck,
  receiverInCurrentDomain,
  receiverWouldBeChosen,
  restoreFp,
} from '../../impl/fastpath/fastpath';
import { getMdbNode, getRegister, getSlotCap, mdbPrev, setMdbNode, slotPtr, tcbGet, tcbSet } from '../../impl/model/heap';
import { Cap, Mdb, MessageInfoW, Tcb, capGet, setField } from '../../impl/model/layout';
import { patch } from '../../impl/model/seam';
import type { Mutant } from './mutant';

const always = () => () => true;
const never = () => () => false;

export const FASTPATH_MUTANTS = [
  {
    name: 'fastpath-badge-dropped',
    description: "the Call fastpath returns 0 in the receiver's badge register, as its reply twin does",
    checker: 'fastpath',
    patches: [patch(restoreFp, (restore) => (k, t, _badge, info) => restore(k, t, 0, info))],
  },
  {
    name: 'fastpath-ignores-dest-priority',
    description: 'the Call fastpath switches to the receiver even when it is lower priority than a ready thread',
    checker: 'fastpath',
    patches: [patch(receiverWouldBeChosen, always)],
  },
  {
    name: 'fastpath-ignores-dest-domain',
    description: 'the Call fastpath switches to a receiver in another scheduling domain',
    checker: 'fastpath',
    patches: [patch(receiverInCurrentDomain, always)],
  },
  {
    name: 'fastpath-accepts-extra-caps',
    description: 'the fastpath message-info check masks only the length field, so messages with extra caps take the fastpath',
    checker: 'fastpath',
    patches: [patch(messageInfoCheck, (check) => (k, info) => check(k, info & mask(MessageInfoW.length.bits)))],
  },
  {
    name: 'fastpath-reply-grant-from-ep',
    description: "the Call fastpath takes the reply cap's grant right from the endpoint cap instead of the receiver's blocking state",
    checker: 'fastpath',
    patches: [
      patch(insertReplyCapFp, (insert) => (k, caller, dest, _canGrant) => {
        // The endpoint cap the Call was made with (nothing has changed the caller's CSpace yet).
        const epCap = lookupFp(k, getSlotCap(k, slotPtr(caller, TCB_CTABLE)), getRegister(k, caller, CAP_REGISTER));
        insert(k, caller, dest, capGet(epCap, Cap.Endpoint.canGrant) === 1);
      }),
    ],
  },
  {
    name: 'fastpath-dequeue-keeps-prev',
    description: "the Call fastpath dequeues the receiver without clearing the new queue head's back link",
    checker: 'fastpath',
    patches: [
      patch(dequeueReceiverFp, (dequeue) => (k, ep, dest) => {
        const next = tcbGet(k, dest, Tcb.epNext);
        const backLink = next === 0 ? 0 : tcbGet(k, next, Tcb.epPrev);
        dequeue(k, ep, dest);
        if (next !== 0) tcbSet(k, next, Tcb.epPrev, backLink);
      }),
    ],
  },
  {
    name: 'fastpath-ignores-receive-right',
    description: 'the ReplyRecv fastpath checks the cap is an endpoint but not that it may receive',
    checker: 'fastpath',
    patches: [patch(endpointCapCanReceive, always)],
  },
  {
    name: 'fastpath-ignores-bound-notification',
    description: 'the ReplyRecv fastpath blocks the thread although its bound notification has a pending signal',
    checker: 'fastpath',
    patches: [patch(boundNotificationActive, never)],
  },
  {
    name: 'fastpath-reply-cap-kept',
    description: 'the ReplyRecv fastpath does not delete the used reply cap from the caller slot',
    checker: 'fastpath',
    patches: [patch(deleteReplyCapFp, () => () => undefined)],
  },
  {
    name: 'fastpath-reply-node-first-badged',
    description: "the Call fastpath marks the new reply cap's MDB node first-badged, as it marks the master's (only the fast/slow concrete comparison sees it)",
    checker: 'fastpath',
    patches: [
      patch(insertReplyCapFp, (insert) => (k, caller, dest, canGrant) => {
        insert(k, caller, dest, canGrant);
        // The whole word, as the fastpath writes MDB words: first-badged set, next and revocable 0.
        const callerSlot = slotPtr(dest, TCB_CALLER);
        setMdbNode(k, callerSlot, { ...getMdbNode(k, callerSlot), w0: setField(0, Mdb.firstBadged, 1) });
      }),
    ],
  },
  {
    name: 'fastpath-master-next-kept',
    description: "the ReplyRecv fastpath empties the caller slot but leaves the reply master's MDB next pointing at it",
    checker: 'fastpath',
    patches: [
      patch(deleteReplyCapFp, (del) => (k, callerSlot) => {
        const master = mdbPrev(k, callerSlot);
        const node = getMdbNode(k, master);
        del(k, callerSlot);
        setMdbNode(k, master, node);
      }),
    ],
  },
] as const satisfies readonly Mutant[];
