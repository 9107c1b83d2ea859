/**
 * CSpace lookup over CNode words, and the slot checks that read the MDB list:
 * "has children" looks at the next list entry, "is final" at both neighbours.
 *
 * seL4: C src/kernel/cspace.c, src/object/cnode.c (ensureNoChildren,
 * isFinalCapability, isMDBParentOf), src/object/objecttype.c (deriveCap);
 * spec twin: spec/kernel/cspace.ts.
 */
import { TCB_CTABLE, WORD_BITS, depthMismatch, failedLookup, guardMismatch, invalidRoot, mask, rangeError, shr } from '../../spec/api';
import { Cap, CapTag, type CapT, capGet, capType, nullCapT } from '../model/layout';
import { getSlotCap, mdbFirstBadged, mdbNext, mdbPrev, mdbRevocable, slotPtr } from '../model/heap';
import { capBadge, frameSetMapping, sameObjectAs, sameRegionAs } from '../model/capability';
import { EXCEPTION_LOOKUP_FAULT, EXCEPTION_NONE, EXCEPTION_SYSCALL_ERROR, type Exception, type Kernel } from '../model/state';
import { seam } from '../model/seam';

export interface ResolveRet {
  readonly status: Exception;
  readonly slot: number;
  readonly bitsRemaining: number;
}

/** The capptr's next `guardSize` bits, `nBits` from its end, are the CNode cap's guard (C compares them inline). */
export const guardMatches = seam('guardMatches', (_k: Kernel, nodeCap: CapT, capptr: number, nBits: number): boolean => {
  const guardBits = capGet(nodeCap, Cap.CNode.guardSize);
  return (shr(capptr, (nBits - guardBits) & 31) & mask(guardBits)) === capGet(nodeCap, Cap.CNode.guard);
});

/** `resolveAddressBits`: the guarded radix walk; failures leave k.currentLookupFault. */
export const resolveAddressBits = (k: Kernel, nodeCap0: CapT, capptr: number, nBits0: number): ResolveRet => {
  let nodeCap = nodeCap0;
  let nBits = nBits0;
  if (capType(nodeCap) !== CapTag.CNode) {
    k.currentLookupFault = invalidRoot;
    return { status: EXCEPTION_LOOKUP_FAULT, slot: 0, bitsRemaining: nBits };
  }
  for (;;) {
    const radixBits = capGet(nodeCap, Cap.CNode.radix);
    const guardBits = capGet(nodeCap, Cap.CNode.guardSize);
    const levelBits = radixBits + guardBits;
    if (!(guardBits <= nBits && guardMatches(k, nodeCap, capptr, nBits))) {
      k.currentLookupFault = guardMismatch(nBits, capGet(nodeCap, Cap.CNode.guard), guardBits);
      return { status: EXCEPTION_LOOKUP_FAULT, slot: 0, bitsRemaining: nBits };
    }
    if (levelBits > nBits) {
      k.currentLookupFault = depthMismatch(nBits, levelBits);
      return { status: EXCEPTION_LOOKUP_FAULT, slot: 0, bitsRemaining: nBits };
    }
    const offset = shr(capptr, nBits - levelBits) & mask(radixBits);
    const slot = slotPtr(capGet(nodeCap, Cap.CNode.ptr), offset);
    if (nBits === levelBits) return { status: EXCEPTION_NONE, slot, bitsRemaining: 0 };
    nBits -= levelBits;
    nodeCap = getSlotCap(k, slot);
    if (capType(nodeCap) !== CapTag.CNode) return { status: EXCEPTION_NONE, slot, bitsRemaining: nBits };
  }
};

/** `lookupSlot`: a full-width lookup from the thread's CSpace root (tcbCTable). */
export const lookupSlot = (k: Kernel, thread: number, capptr: number): ResolveRet => resolveAddressBits(k, getSlotCap(k, slotPtr(thread, TCB_CTABLE)), capptr, WORD_BITS);

/** `lookupCap`: the cap a cptr names, or the null cap with a lookup fault. */
export const lookupCap = (k: Kernel, thread: number, capptr: number): { status: Exception; cap: CapT; slot: number } => {
  const r = lookupSlot(k, thread, capptr);
  if (r.status !== EXCEPTION_NONE) return { status: r.status, cap: nullCapT, slot: 0 };
  return { status: EXCEPTION_NONE, cap: getSlotCap(k, r.slot), slot: r.slot };
};

/** `lookupSlotForCNodeOp`: exactly `depth` bits; failures set k.currentSyscallError. */
export const lookupSlotForCNodeOp = (k: Kernel, isSource: boolean, root: CapT, capptr: number, depth: number): { status: Exception; slot: number } => {
  if (capType(root) !== CapTag.CNode) {
    k.currentSyscallError = failedLookup(isSource, invalidRoot);
    return { status: EXCEPTION_SYSCALL_ERROR, slot: 0 };
  }
  if (depth < 1 || depth > WORD_BITS) {
    k.currentSyscallError = rangeError(1, WORD_BITS);
    return { status: EXCEPTION_SYSCALL_ERROR, slot: 0 };
  }
  const r = resolveAddressBits(k, root, capptr, depth);
  if (r.status !== EXCEPTION_NONE) {
    k.currentSyscallError = failedLookup(isSource, k.currentLookupFault);
    return { status: EXCEPTION_SYSCALL_ERROR, slot: 0 };
  }
  if (r.bitsRemaining !== 0) {
    k.currentSyscallError = failedLookup(isSource, depthMismatch(r.bitsRemaining, 0));
    return { status: EXCEPTION_SYSCALL_ERROR, slot: 0 };
  }
  return { status: EXCEPTION_NONE, slot: r.slot };
};

export const lookupSourceSlot = (k: Kernel, root: CapT, capptr: number, depth: number) => lookupSlotForCNodeOp(k, true, root, capptr, depth);
export const lookupTargetSlot = (k: Kernel, root: CapT, capptr: number, depth: number) => lookupSlotForCNodeOp(k, false, root, capptr, depth);
export const lookupPivotSlot = (k: Kernel, root: CapT, capptr: number, depth: number) => lookupSlotForCNodeOp(k, true, root, capptr, depth);

// ---------------------------------------------------------------- MDB queries

/** `isMDBParentOf` on two slots: revocable, same region, and the badge rule for badged EP/ntfn caps. */
export const isMDBParentOf = (k: Kernel, a: number, b: number): boolean => {
  if (!mdbRevocable(k, a)) return false;
  const capA = getSlotCap(k, a);
  const capB = getSlotCap(k, b);
  if (!sameRegionAs(capA, capB)) return false;
  const ta = capType(capA);
  if (ta === CapTag.SGISignal && capType(capB) === CapTag.SGISignal && mdbFirstBadged(k, b)) return false;
  if ((ta === CapTag.Endpoint || ta === CapTag.Notification) && capBadge(capA) !== 0) return capBadge(capB) === capBadge(capA) && !mdbFirstBadged(k, b);
  return true;
};

export const ensureNoChildren = (k: Kernel, slot: number): Exception => {
  const next = mdbNext(k, slot);
  if (next !== 0 && isMDBParentOf(k, slot, next)) {
    k.currentSyscallError = { _tag: 'RevokeFirst' };
    return EXCEPTION_SYSCALL_ERROR;
  }
  return EXCEPTION_NONE;
};

export const ensureEmptySlot = (k: Kernel, slot: number): Exception => {
  if (capType(getSlotCap(k, slot)) !== CapTag.Null) {
    k.currentSyscallError = { _tag: 'DeleteFirst' };
    return EXCEPTION_SYSCALL_ERROR;
  }
  return EXCEPTION_NONE;
};

/** `isFinalCapability`: neither MDB neighbour holds a cap to the same object. */
export const isFinalCapability = (k: Kernel, slot: number): boolean => {
  const cap = getSlotCap(k, slot);
  const prev = mdbPrev(k, slot);
  if (prev !== 0 && sameObjectAs(getSlotCap(k, prev), cap)) return false;
  const next = mdbNext(k, slot);
  if (next !== 0 && sameObjectAs(cap, getSlotCap(k, next))) return false;
  return true;
};

/** `deriveCap`: the cap a copy may hold; errors set k.currentSyscallError. */
export const deriveCap = (k: Kernel, slot: number, cap: CapT): { status: Exception; cap: CapT } => {
  switch (capType(cap)) {
    case CapTag.Zombie:
    case CapTag.IRQControl:
    case CapTag.Reply:
      return { status: EXCEPTION_NONE, cap: nullCapT };
    case CapTag.Untyped: {
      const st = ensureNoChildren(k, slot);
      return st === EXCEPTION_NONE ? { status: st, cap } : { status: st, cap: nullCapT };
    }
    case CapTag.PageTable:
      if (capGet(cap, Cap.PageTable.isMapped) === 1) return { status: EXCEPTION_NONE, cap };
      k.currentSyscallError = { _tag: 'IllegalOperation' };
      return { status: EXCEPTION_SYSCALL_ERROR, cap: nullCapT };
    case CapTag.PageDirectory:
      if (capGet(cap, Cap.PageDirectory.isMapped) === 1) return { status: EXCEPTION_NONE, cap };
      k.currentSyscallError = { _tag: 'IllegalOperation' };
      return { status: EXCEPTION_SYSCALL_ERROR, cap: nullCapT };
    case CapTag.SmallFrame:
    case CapTag.Frame:
      return { status: EXCEPTION_NONE, cap: frameSetMapping(cap, 0, 0) };
    default:
      return { status: EXCEPTION_NONE, cap };
  }
};
