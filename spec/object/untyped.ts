/**
 * Untyped memory: Retype carves new objects out of an untyped region at its
 * free index (the watermark). When the untyped has no children left, Retype
 * first resets it: the objects inside are forgotten, the memory is zeroed in
 * chunks (with preemption points) and the watermark returns to zero.
 *
 * seL4: Haskell Object/Untyped.lhs; abstract spec Untyped_A.thy (invoke_untyped,
 * reset_untyped_cap), Decode_A.thy (decode_untyped_invocation); C
 * src/object/untyped.c.
 */
import * as E from 'fp-ts/Either';
import { flow, identity, pipe } from 'fp-ts/function';
import { MAX_UNTYPED_BITS, MIN_UNTYPED_BITS, RESET_CHUNK_BITS, RETYPE_FAN_OUT_LIMIT } from '../api/config';
import { type SyscallError, deleteFirst, failedLookup, illegalOperation, invalidArgument, missingCapability, notEnoughMemory, rangeError, truncatedMessage } from '../api/errors';
import { invocationLabelOf } from '../api/invocationLabel';
import { type ObjectType, getObjectSize, isFrameType, objectTypeOf } from '../api/objectType';
import { WORD_BITS, alignUp } from '../api/word';
import { kernelAssert } from '../model/assert';
import { cdtChildren } from '../model/cdt';
import { type Transition, clearMemory, getCap, setCap, slotOf } from '../model/heap';
import { range } from '../model/immutable';
import { type Preemptible, andThen, completed, forEachPreemptible, preemptionPoint, withoutPreemption } from '../model/preemption';
import type { KernelState } from '../model/state';
import type { Cap, SlotPtr } from '../model/structures';
import { type CapAndSlot, lookupTargetSlot } from '../kernel/cspace';
import { createNewObjects, deleteObjects } from './objectType';

export interface RetypeInvocation {
  readonly _tag: 'Retype';
  readonly srcSlot: SlotPtr;
  readonly reset: boolean;
  /** The untyped region's base. */
  readonly regionBase: number;
  /** Where the first new object goes (the free index, aligned to the object size). */
  readonly retypeBase: number;
  readonly newType: ObjectType;
  readonly userSize: number;
  readonly destSlots: readonly SlotPtr[];
  readonly isDevice: boolean;
}

/** `decodeUntypedInvocation`: every check of Untyped_Retype, in seL4's order. */
export const decodeUntypedInvocation = (
  s: KernelState,
  labelWord: number,
  args: readonly number[],
  slot: SlotPtr,
  cap: Cap,
  extraCaps: readonly CapAndSlot[],
): E.Either<SyscallError, RetypeInvocation> => {
  kernelAssert(cap._tag === 'UntypedCap', 'decodeUntypedInvocation: not an untyped cap');
  if (invocationLabelOf(labelWord) !== 'UntypedRetype') return E.left(illegalOperation);
  const root = extraCaps[0];
  if (args.length < 6 || root === undefined) return E.left(truncatedMessage);
  const [typeWord = 0, userSize = 0, nodeIndex = 0, nodeDepth = 0, nodeOffset = 0, nodeWindow = 0] = args;
  const newType = objectTypeOf(typeWord);
  if (newType === null) return E.left(invalidArgument(0));
  const objectSize = getObjectSize(newType, userSize);
  if (userSize >= WORD_BITS || objectSize > MAX_UNTYPED_BITS) return E.left(rangeError(0, MAX_UNTYPED_BITS));
  if (newType === 'CapTable' && userSize === 0) return E.left(invalidArgument(1));
  if (newType === 'Untyped' && userSize < MIN_UNTYPED_BITS) return E.left(invalidArgument(1));

  const nodeCapE: E.Either<SyscallError, Cap> =
    nodeDepth === 0
      ? E.right(root.cap)
      : pipe(
          lookupTargetSlot(s, root.cap, nodeIndex, nodeDepth),
          E.map((sl) => getCap(s, sl)),
        );
  return pipe(
    nodeCapE,
    E.flatMap((nodeCap): E.Either<SyscallError, RetypeInvocation> => {
      if (nodeCap._tag !== 'CNodeCap') return E.left(failedLookup(false, missingCapability(nodeDepth)));
      const nodeSize = 2 ** nodeCap.radix;
      if (nodeOffset > nodeSize - 1) return E.left(rangeError(0, nodeSize - 1));
      if (nodeWindow < 1 || nodeWindow > RETYPE_FAN_OUT_LIMIT) return E.left(rangeError(1, RETYPE_FAN_OUT_LIMIT));
      if (nodeWindow > nodeSize - nodeOffset) return E.left(rangeError(1, nodeSize - nodeOffset));
      const destSlots = range(nodeOffset, nodeOffset + nodeWindow).map((i) => slotOf(nodeCap.ptr, i));
      if (destSlots.some((d) => getCap(s, d)._tag !== 'NullCap')) return E.left(deleteFirst);
      // With no children left, the untyped is reset and allocation restarts from its base.
      const reset = cdtChildren(s, slot).length === 0;
      const freeIndex = reset ? 0 : cap.freeIndex;
      const freeBytes = 2 ** cap.blockSize - freeIndex;
      if (Math.floor(freeBytes / 2 ** objectSize) < nodeWindow) return E.left(notEnoughMemory(freeBytes));
      if (cap.isDevice && !isFrameType(newType) && newType !== 'Untyped') return E.left(invalidArgument(1));
      return E.right({
        _tag: 'Retype',
        srcSlot: slot,
        reset,
        regionBase: cap.ptr,
        retypeBase: alignUp(cap.ptr + freeIndex, objectSize),
        newType,
        userSize,
        destSlots,
        isDevice: cap.isDevice,
      });
    }),
  );
};

const setFreeIndex =
  (slot: SlotPtr, freeIndex: number): Transition =>
  (s) => {
    const cap = getCap(s, slot);
    kernelAssert(cap._tag === 'UntypedCap', 'setFreeIndex: not an untyped cap');
    return setCap(slot, { ...cap, freeIndex })(s);
  };

/**
 * `resetUntypedCap`: forget the objects in the region and zero it. Small or
 * device untypeds are done at once; others chunk by chunk from the watermark
 * down, lowering the free index after each chunk, with a preemption point.
 */
export const resetUntypedCap =
  (slot: SlotPtr) =>
  (s0: KernelState): Preemptible => {
    const cap = getCap(s0, slot);
    kernelAssert(cap._tag === 'UntypedCap', 'resetUntypedCap: not an untyped cap');
    if (cap.freeIndex === 0) return completed(s0);
    const s = deleteObjects(cap.ptr, cap.blockSize)(s0);
    if (cap.isDevice || cap.blockSize < RESET_CHUNK_BITS) return pipe(s, cap.isDevice ? identity : clearMemory(cap.ptr, 2 ** cap.blockSize), setFreeIndex(slot, 0), completed);
    // The chunks below the watermark, highest first.
    const chunk = 2 ** RESET_CHUNK_BITS;
    const offsets = range(0, Math.ceil(cap.freeIndex / chunk))
      .map((k) => k * chunk)
      .reverse();
    const clearChunk = (offset: number) => flow(clearMemory(cap.ptr + offset, chunk), setFreeIndex(slot, offset), preemptionPoint);
    return forEachPreemptible(offsets, clearChunk)(s);
  };

/** `invokeUntyped`: reset if decided, raise the watermark, create the objects and their caps. */
export const invokeUntyped =
  (inv: RetypeInvocation) =>
  (s: KernelState): Preemptible => {
    const total = inv.destSlots.length * 2 ** getObjectSize(inv.newType, inv.userSize);
    return pipe(
      s,
      inv.reset ? resetUntypedCap(inv.srcSlot) : completed,
      andThen(
        withoutPreemption(
          flow(
            setFreeIndex(inv.srcSlot, inv.retypeBase + total - inv.regionBase),
            createNewObjects(inv.newType, inv.srcSlot, inv.destSlots, inv.retypeBase, inv.userSize, inv.isDevice),
          ),
        ),
      ),
    );
  };
