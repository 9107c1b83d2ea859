/**
 * Bugs in capability lookup, the CNode operations, the derivation tree and
 * untyped memory.
 */
import { LABEL } from '../../spec/api';
import { guardMatches, isMDBParentOf } from '../../impl/kernel/cspace';
import { preemptionPoint } from '../../impl/kernel/preemption';
import { cteDelete, cteInsert, cteMove, cteRevoke, decodeCNodeInvocation, mintedCap } from '../../impl/object/cnode';
import { emptySlot } from '../../impl/object/ipcCancel';
import { clearMemory, invokeUntyped_Retype } from '../../impl/object/untyped';
import { getMdbNode, getSlotCap, mdbNext, mdbPrev, setMdbFirstBadged, setMdbNext, setMdbNode } from '../../impl/model/heap';
import { Cap, CapTag, Mdb, capGet, capType, setField } from '../../impl/model/layout';
import { capBadge } from '../../impl/model/capability';
import { EXCEPTION_NONE } from '../../impl/model/state';
import { patch } from '../../impl/model/seam';
import type { Mutant } from './mutant';

/** CNode invocations with these labels read their message words through `misread` (given the words as sent). */
export const misreadArguments = (labels: readonly number[], misread: (arg: (i: number) => number) => (i: number) => number) =>
  patch(decodeCNodeInvocation, (decode) => (k, label, length, cap, arg) => decode(k, label, length, cap, labels.includes(label) ? misread(arg) : arg));

export const CSPACE_MUTANTS = [
  {
    name: 'lookup-ignores-guard',
    description: 'CSpace lookup skips the guard comparison (only the guard size is checked)',
    checker: 'refinement',
    patches: [patch(guardMatches, () => () => true)],
  },
  {
    name: 'mint-keeps-old-badge',
    description: 'Mint of an already-badged cap succeeds and keeps the old badge instead of failing',
    checker: 'refinement',
    patches: [patch(mintedCap, (minted) => (k, masked, capData) => (capBadge(masked) !== 0 ? masked : minted(k, masked, capData)))],
  },
  {
    name: 'move-leaves-stale-mdb-link',
    description: "cteMove does not repoint the previous MDB entry's next link at the destination",
    checker: 'refinement',
    patches: [
      patch(cteMove, (move) => (k, newCap, srcSlot, destSlot) => {
        const prev = mdbPrev(k, srcSlot);
        const staleNext = prev === 0 ? 0 : mdbNext(k, prev);
        move(k, newCap, srcSlot, destSlot);
        if (prev !== 0) setMdbNext(k, prev, staleNext);
      }),
    ],
  },
  {
    name: 'revoke-misses-grandchildren',
    description: "revoke assumes deleting a child removes the child's descendants and skips past them",
    checker: 'refinement',
    patches: [
      patch(cteRevoke, () => (k, slot) => {
        let next = mdbNext(k, slot);
        while (next !== 0 && isMDBParentOf(k, slot, next)) {
          // The bug: believing a delete also removes the child's descendants, resume after them.
          let resume = mdbNext(k, next);
          while (resume !== 0 && isMDBParentOf(k, next, resume)) resume = mdbNext(k, resume);
          const status = cteDelete(k, next, true);
          if (status !== EXCEPTION_NONE) return status;
          const preempted = preemptionPoint(k);
          if (preempted !== EXCEPTION_NONE) return preempted;
          next = resume !== 0 && isMDBParentOf(k, slot, resume) ? resume : 0;
        }
        return EXCEPTION_NONE;
      }),
    ],
  },
  {
    name: 'copy-marked-revocable',
    description: 'cteInsert marks every new cap revocable, so copies become parents of later copies',
    checker: 'refinement',
    patches: [
      patch(cteInsert, (insert) => (k, newCap, srcSlot, destSlot) => {
        insert(k, newCap, srcSlot, destSlot);
        const node = getMdbNode(k, destSlot);
        setMdbNode(k, destSlot, { ...node, w0: setField(setField(node.w0, Mdb.revocable, 1), Mdb.firstBadged, 1) });
      }),
    ],
  },
  {
    name: 'rotate-swaps-badges',
    description: 'Rotate applies the pivot data word to the source cap and vice versa',
    checker: 'refinement',
    // Rotate's words 2 and 5 are the pivot's and the source's new data.
    patches: [misreadArguments([LABEL.CNodeRotate], (arg) => (i) => arg(i === 2 ? 5 : i === 5 ? 2 : i))],
  },
  {
    name: 'delete-drops-first-badged',
    description: 'emptySlot does not pass the first-badged mark on to the next MDB entry',
    checker: 'refinement',
    patches: [
      patch(emptySlot, (empty) => (k, slot, info) => {
        const next = capType(getSlotCap(k, slot)) === CapTag.Null ? 0 : mdbNext(k, slot);
        empty(k, slot, info);
        if (next !== 0) setMdbFirstBadged(k, next, false);
      }),
    ],
  },
  {
    name: 'retype-ignores-alignment',
    description: 'Retype places objects at the free index without aligning it to the object size',
    checker: 'refinement',
    patches: [
      patch(invokeUntyped_Retype, (retype) => (k, srcSlot, reset, _retypeBase, ...rest) => {
        const cap = getSlotCap(k, srcSlot);
        const unaligned = capGet(cap, Cap.Untyped.ptr) + (reset ? 0 : capGet(cap, Cap.Untyped.freeIndex));
        return retype(k, srcSlot, reset, unaligned, ...rest);
      }),
    ],
  },
  {
    name: 'reset-skips-zeroing',
    description: 'resetting an untyped lowers the watermark without zeroing the memory',
    checker: 'refinement',
    patches: [patch(clearMemory, () => () => undefined)],
  },
] as const satisfies readonly Mutant[];
