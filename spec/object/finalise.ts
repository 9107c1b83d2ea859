/**
 * Finalisation: what deleting a cap does to its object before the slot is
 * emptied. Deleting the last cap to an endpoint or notification aborts its
 * waiters; the last cap to a CNode or thread turns into a Zombie whose slots
 * are cleared one by one (see cnode.ts); a mapped frame is unmapped even when
 * other caps to it remain.
 *
 * seL4: Haskell Object/ObjectType.lhs (finaliseCap), Object/ObjectType/ARM.lhs;
 * abstract spec Finalise_A.thy (finalise_cap, arch_finalise_cap).
 */
import { flow, identity, pipe } from 'fp-ts/function';
import { kernelAssert } from '../model/assert';
import type { KernelState } from '../model/state';
import { type Cap, nullCap } from '../model/structures';
import { deleteASID, deleteASIDPool, unmapPage, unmapPageTable } from '../kernel/vspace';
import { deletingIRQHandler, suspend, unbindMaybeNotification, unbindNotification, cancelAllIPC, cancelAllSignals } from './ipcCancel';

export interface Finalised {
  readonly state: KernelState;
  /** NullCap when the slot may now be emptied, or the Zombie that replaces the cap. */
  readonly remainder: Cap;
  /** What `postCapDeletion` must clean up after the slot is emptied (an IRQ handler), else NullCap. */
  readonly info: Cap;
}

const done = (state: KernelState, info: Cap = nullCap): Finalised => ({ state, remainder: nullCap, info });

/** `finaliseCap cap final`: the object-level effect of deleting `cap`. */
export const finaliseCap = (s: KernelState, cap: Cap, final: boolean): Finalised => {
  switch (cap._tag) {
    case 'EndpointCap':
      return pipe(s, final ? cancelAllIPC(cap.ptr) : identity, done);
    case 'NotificationCap':
      return pipe(s, final ? flow(unbindMaybeNotification(cap.ptr), cancelAllSignals(cap.ptr)) : identity, done);
    case 'CNodeCap':
      return final
        ? {
            state: s,
            remainder: { _tag: 'ZombieCap', ptr: cap.ptr, zombieType: { _tag: 'ZombieCNode', radix: cap.radix }, number: 2 ** cap.radix },
            info: nullCap,
          }
        : done(s);
    case 'ThreadCap':
      if (!final) return done(s);
      // The thread must not run, or be woken, while its slots are cleared.
      return {
        state: pipe(s, unbindNotification(cap.tcb), suspend(cap.tcb)),
        remainder: { _tag: 'ZombieCap', ptr: cap.tcb, zombieType: { _tag: 'ZombieTCB' }, number: 5 },
        info: nullCap,
      };
    case 'ZombieCap':
      kernelAssert(final, 'finaliseCap: a zombie is always final');
      return { state: s, remainder: cap, info: nullCap };
    case 'IRQHandlerCap':
      return final ? done(deletingIRQHandler(cap.irq)(s), cap) : done(s);
    case 'FrameCap':
      return pipe(s, cap.mapped === null ? identity : unmapPage(cap.sizeBits, cap.mapped.asid, cap.mapped.vaddr, cap.ptr), done);
    case 'PageTableCap':
      return pipe(s, final && cap.mapped !== null ? unmapPageTable(cap.mapped.asid, cap.mapped.vaddr, cap.ptr) : identity, done);
    case 'PageDirectoryCap':
      return pipe(s, final && cap.mappedASID !== null ? deleteASID(cap.mappedASID, cap.ptr) : identity, done);
    case 'ASIDPoolCap':
      return pipe(s, final ? deleteASIDPool(cap.asidBase, cap.ptr) : identity, done);
    default:
      // Null, Reply, Untyped, Domain, IRQControl, ASIDControl, SGISignal: nothing to do.
      return done(s);
  }
};
