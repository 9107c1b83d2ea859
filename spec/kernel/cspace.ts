/**
 * CSpace addressing: guarded, multi-level CNode lookup of a cptr, the thread
 * lookups used by syscalls (depth 32, leftover bits ignored) and the depth-
 * limited lookups of CNode invocations.
 *
 * seL4: Haskell Kernel/CSpace.lhs; abstract spec CSpace_A.thy
 * (resolve_address_bits, lookup_slot_for_thread, lookup_slot_for_cnode_op);
 * C src/kernel/cspace.c.
 */
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import {
  type LookupFailure,
  type SyscallError,
  deleteFirst,
  depthMismatch,
  failedLookup,
  guardMismatch,
  illegalOperation,
  invalidRoot,
  rangeError,
  revokeFirst,
} from '../api/errors';
import { WORD_BITS, mask, shr } from '../api/word';
import { capsToSameObject } from '../model/capIndex';
import { cdtChildren } from '../model/cdt';
import { getCap, slotOf } from '../model/heap';
import type { KernelState } from '../model/state';
import { type Cap, type PPtr, type SlotPtr, TCB_CTABLE, nullCap } from '../model/structures';

export interface ResolvedSlot {
  readonly slot: SlotPtr;
  /** Bits of the cptr left unresolved when a non-CNode cap ended the walk early. */
  readonly bitsRemaining: number;
}

export interface CapAndSlot {
  readonly cap: Cap;
  readonly slot: SlotPtr;
}

/**
 * `resolveAddressBits`: walk CNode caps, consuming guard then radix bits of
 * the cptr's top `nBits`. The guard is checked before the depth; a slot whose
 * cap is not a CNode ends the walk successfully with bits left over.
 */
export const resolveAddressBits = (s: KernelState, nodeCap: Cap, cptr: number, nBits: number): E.Either<LookupFailure, ResolvedSlot> => {
  if (nodeCap._tag !== 'CNodeCap') return E.left(invalidRoot);
  const level = nodeCap.radix + nodeCap.guardSize;
  const guard = shr(cptr, nBits - nodeCap.guardSize) & mask(nodeCap.guardSize);
  if (nodeCap.guardSize > nBits || guard !== nodeCap.guard) return E.left(guardMismatch(nBits, nodeCap.guard, nodeCap.guardSize));
  if (level > nBits) return E.left(depthMismatch(nBits, level));
  const slot = slotOf(nodeCap.ptr, shr(cptr, nBits - level) & mask(nodeCap.radix));
  const bitsRemaining = nBits - level;
  if (bitsRemaining === 0) return E.right({ slot, bitsRemaining });
  // A CNode has at least two slots, so each level consumes a bit: the recursion is at most 32 deep.
  const next = getCap(s, slot);
  return next._tag === 'CNodeCap' ? resolveAddressBits(s, next, cptr, bitsRemaining) : E.right({ slot, bitsRemaining });
};

/** The thread's CSpace root: the cap in its tcbCTable slot. */
export const threadRoot = (s: KernelState, thread: PPtr): Cap => getCap(s, slotOf(thread, TCB_CTABLE));

/** `lookupSlotForThread`: a full 32-bit lookup from the thread's root; leftover bits are ignored. */
export const lookupSlotForThread = (s: KernelState, thread: PPtr, cptr: number): E.Either<LookupFailure, SlotPtr> =>
  pipe(
    resolveAddressBits(s, threadRoot(s, thread), cptr, WORD_BITS),
    E.map((r) => r.slot),
  );

export const lookupCapAndSlot = (s: KernelState, thread: PPtr, cptr: number): E.Either<LookupFailure, CapAndSlot> =>
  pipe(
    lookupSlotForThread(s, thread, cptr),
    E.map((slot) => ({ slot, cap: getCap(s, slot) })),
  );

export const lookupCap = (s: KernelState, thread: PPtr, cptr: number): E.Either<LookupFailure, Cap> =>
  pipe(
    lookupCapAndSlot(s, thread, cptr),
    E.map((r) => r.cap),
  );

/**
 * `lookupSlotForCNodeOp`: resolve exactly `depth` bits from `root`. A CNode cap
 * found at that depth names its own slot; stopping short is a depth mismatch.
 */
export const lookupSlotForCNodeOp = (s: KernelState, isSource: boolean, root: Cap, cptr: number, depth: number): E.Either<SyscallError, SlotPtr> => {
  if (root._tag !== 'CNodeCap') return E.left(failedLookup(isSource, invalidRoot));
  if (depth < 1 || depth > WORD_BITS) return E.left(rangeError(1, WORD_BITS));
  return pipe(
    resolveAddressBits(s, root, cptr, depth),
    E.mapLeft((lf) => failedLookup(isSource, lf)),
    E.flatMap((r) => (r.bitsRemaining !== 0 ? E.left(failedLookup(isSource, depthMismatch(r.bitsRemaining, 0))) : E.right(r.slot))),
  );
};

export const lookupSourceSlot = (s: KernelState, root: Cap, cptr: number, depth: number) => lookupSlotForCNodeOp(s, true, root, cptr, depth);
export const lookupTargetSlot = (s: KernelState, root: Cap, cptr: number, depth: number) => lookupSlotForCNodeOp(s, false, root, cptr, depth);
export const lookupPivotSlot = (s: KernelState, root: Cap, cptr: number, depth: number) => lookupSlotForCNodeOp(s, true, root, cptr, depth);

// ---------------------------------------------------------------- slot checks and derivation

/** `ensureEmptySlot`: a destination must hold no cap, else DeleteFirst. */
export const ensureEmptySlot = (s: KernelState, slot: SlotPtr): E.Either<SyscallError, void> => (getCap(s, slot)._tag === 'NullCap' ? E.right(undefined) : E.left(deleteFirst));

/** `ensureNoChildren`: the cap may not have CDT children, else RevokeFirst. */
export const ensureNoChildren = (s: KernelState, slot: SlotPtr): E.Either<SyscallError, void> => (cdtChildren(s, slot).length === 0 ? E.right(undefined) : E.left(revokeFirst));

/**
 * `deriveCap`: the cap a copy of `cap` may be. Zombies, IRQ control and reply
 * caps cannot be copied (Null); an untyped with children cannot either; page
 * tables and directories must be mapped; frame copies are unmapped.
 */
export const deriveCap = (s: KernelState, slot: SlotPtr, cap: Cap): E.Either<SyscallError, Cap> => {
  switch (cap._tag) {
    case 'ZombieCap':
    case 'IRQControlCap':
    case 'ReplyCap':
      return E.right(nullCap);
    case 'UntypedCap':
      return pipe(
        ensureNoChildren(s, slot),
        E.map(() => cap),
      );
    case 'PageTableCap':
      return cap.mapped === null ? E.left(illegalOperation) : E.right(cap);
    case 'PageDirectoryCap':
      return cap.mappedASID === null ? E.left(illegalOperation) : E.right(cap);
    case 'FrameCap':
      return E.right({ ...cap, mapped: null });
    default:
      return E.right(cap);
  }
};

/**
 * `isFinalCapability`: no other slot holds a cap to the same object (l4v's
 * is_final_cap: the slots whose cap is `sameObjectAs` it, either way round,
 * are this one alone). Counted by object key rather than scanned for; the C
 * kernel looks only at the two MDB neighbours, which the MDB invariant that
 * caps to one object are adjacent makes equivalent.
 */
export const isFinalCapability = (s: KernelState, slot: SlotPtr): boolean => capsToSameObject(s.caps, getCap(s, slot)) <= 1;
