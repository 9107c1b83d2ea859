/**
 * Bugs the checker was once blind to, closed by the concrete kernel's own ABI
 * decoders, the reply_mdb representation invariant and array bounds checks:
 * a raw word taken as decoded, error words out of order, a reply cap in the
 * wrong place of the MDB, an index one past a table.
 */
import { LABEL, MSG_INFO_REGISTER, NUM_DOMAINS, TCB_CALLER, TCB_REPLY } from '../../spec/api';
import { replyFromKernelError, senderMessageInfo, setupCallerCap } from '../../impl/object/endpoint';
import { cteInsert } from '../../impl/object/cnode';
import { isValidDomain } from '../../impl/object/domain';
import { setThreadState } from '../../impl/kernel/thread';
import { getRegister, slotPtr } from '../../impl/model/heap';
import { TS } from '../../impl/model/layout';
import { replyCapNew } from '../../impl/model/capability';
import { patch } from '../../impl/model/seam';
import { misreadArguments } from './cspace';
import type { Mutant } from './mutant';

/** The rights word with the Read (bit 1) and Write (bit 0) bits swapped. */
const swapReadWrite = (w: number): number => ((w & ~3) | ((w & 1) << 1) | ((w >>> 1) & 1)) >>> 0;

export const BLIND_SPOT_MUTANTS = [
  {
    name: 'message-length-not-clamped',
    description: "a message transfer takes the sender's message length raw, without clamping a length above 120",
    checker: 'refinement',
    patches: [patch(senderMessageInfo, () => (k, sender) => getRegister(k, sender, MSG_INFO_REGISTER))],
  },
  {
    name: 'rights-word-misread',
    description: 'Copy and Mint read the rights word with the Read and Write bits swapped',
    checker: 'refinement',
    // Copy's and Mint's word 4 is the rights word.
    patches: [misreadArguments([LABEL.CNodeCopy, LABEL.CNodeMint], (arg) => (i) => (i === 4 ? swapReadWrite(arg(4)) : arg(i)))],
  },
  {
    name: 'range-error-words-swapped',
    description: "a RangeError reply puts the maximum before the minimum in the caller's message registers",
    checker: 'refinement',
    patches: [patch(replyFromKernelError, (reply) => (k, t, e) => reply(k, t, e._tag === 'RangeError' ? { ...e, min: e.max, max: e.min } : e))],
  },
  {
    name: 'reply-cap-under-receiver-master',
    description: "a Call's reply cap is inserted in the MDB after the receiver's reply master instead of the caller's",
    checker: 'refinement',
    patches: [
      patch(setupCallerCap, () => (k, sender, receiver, canGrant) => {
        setThreadState(k, sender, TS.BlockedOnReply);
        cteInsert(k, replyCapNew(sender, false, canGrant), slotPtr(receiver, TCB_REPLY), slotPtr(receiver, TCB_CALLER));
      }),
    ],
  },
  {
    name: 'domain-set-off-by-one',
    description: 'DomainSet accepts a domain equal to the number of domains (> instead of >=) and enqueues the thread past the ready-queue table',
    checker: 'refinement',
    patches: [patch(isValidDomain, () => (_k, domain) => domain <= NUM_DOMAINS)],
  },
] as const satisfies readonly Mutant[];
