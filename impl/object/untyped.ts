/**
 * Untyped_Retype on the packed kernel: every check in seL4's order, the reset
 * of an untyped without children (zeroing 256-byte chunks from the watermark
 * down, with preemption points), the new watermark in the cap's free-index
 * field, and the new objects.
 *
 * Names and argument order are C's (`arg` for C's buffer); the spec twin's are
 * Haskell's (decode into a RetypeInvocation, one invokeUntyped).
 *
 * seL4: C src/object/untyped.c; spec twin: spec/object/untyped.ts.
 */
import {
  MAX_UNTYPED_BITS,
  MIN_UNTYPED_BITS,
  type ObjectType,
  RESET_CHUNK_BITS,
  RETYPE_FAN_OUT_LIMIT,
  WORD_BITS,
  failedLookup,
  invalidArgument,
  missingCapability,
  notEnoughMemory,
  objectTypeOf,
  rangeError,
  LABEL,
} from '../../spec/api';

/** `alignUp(x, bits)`: the next multiple of 2^bits at or above x (C's ROUND_UP). */
const alignUp = (x: number, bits: number): number => Math.ceil(x / 2 ** bits) * 2 ** bits;
import { Cap, CapTag, type CapT, capGet, capSet, capType } from '../model/layout';
import { getSlotCap, setSlotCap, slotPtr } from '../model/heap';
import { EXCEPTION_NONE, type Exception, type Kernel, syscallError } from '../model/state';
import { seam } from '../model/seam';
import { ensureEmptySlot, ensureNoChildren, lookupTargetSlot } from '../kernel/cspace';
import { preemptionPoint } from '../kernel/preemption';
import { setThreadState } from '../kernel/thread';
import { TS } from '../model/layout';
import { createNewObjects, deleteObjects, getObjectSize, isFrameType } from './objectType';

const setFreeIndex = (k: Kernel, slot: number, freeIndex: number): void => setSlotCap(k, slot, capSet(getSlotCap(k, slot), Cap.Untyped.freeIndex, freeIndex));

/** `clearMemory`: zero a region of a reset untyped (C: clearMemory, memzero then a cache clean). */
export const clearMemory = seam('clearMemory', (k: Kernel, base: number, bytes: number): void => k.mem.zero(base, bytes));

/** `resetUntypedCap`: zero the used part of the region and move the watermark back to 0. */
export const resetUntypedCap = (k: Kernel, slot: number): Exception => {
  const cap = getSlotCap(k, slot);
  const base = capGet(cap, Cap.Untyped.ptr);
  const blockSize = capGet(cap, Cap.Untyped.blockSize);
  const isDevice = capGet(cap, Cap.Untyped.isDevice) === 1;
  const offset = capGet(cap, Cap.Untyped.freeIndex);
  if (offset === 0) return EXCEPTION_NONE;
  deleteObjects(k, base, blockSize);
  if (isDevice || blockSize < RESET_CHUNK_BITS) {
    if (!isDevice) clearMemory(k, base, 2 ** blockSize);
    setFreeIndex(k, slot, 0);
    return EXCEPTION_NONE;
  }
  const chunk = 2 ** RESET_CHUNK_BITS;
  for (let off = Math.floor((offset - 1) / chunk) * chunk; off >= 0; off -= chunk) {
    clearMemory(k, base + off, chunk);
    setFreeIndex(k, slot, off);
    const status = preemptionPoint(k);
    if (status !== EXCEPTION_NONE) return status;
  }
  return EXCEPTION_NONE;
};

/** `decodeUntypedInvocation`: every check of Untyped_Retype in seL4's order, then (with the caller in Restart) `invokeUntyped_Retype`. */
export const decodeUntypedInvocation = (k: Kernel, label: number, length: number, slot: number, cap: CapT, arg: (i: number) => number): Exception => {
  if (label !== LABEL.UntypedRetype) return syscallError(k, { _tag: 'IllegalOperation' });
  const rootSlot = k.currentExtraCaps[0];
  if (length < 6 || rootSlot === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
  const newTypeW = arg(0);
  const userSize = arg(1);
  const nodeIndex = arg(2);
  const nodeDepth = arg(3);
  const nodeOffset = arg(4);
  const nodeWindow = arg(5);
  const rootCap = getSlotCap(k, rootSlot);
  const newType = objectTypeOf(newTypeW);
  if (newType === null) return syscallError(k, invalidArgument(0));
  const objectSize = getObjectSize(newType, userSize);
  if (userSize >= WORD_BITS || objectSize > MAX_UNTYPED_BITS) return syscallError(k, rangeError(0, MAX_UNTYPED_BITS));
  if (newType === 'CapTable' && userSize === 0) return syscallError(k, invalidArgument(1));
  if (newType === 'Untyped' && userSize < MIN_UNTYPED_BITS) return syscallError(k, invalidArgument(1));

  let nodeCap = rootCap;
  if (nodeDepth !== 0) {
    const lu = lookupTargetSlot(k, rootCap, nodeIndex, nodeDepth);
    if (lu.status !== EXCEPTION_NONE) return lu.status;
    nodeCap = getSlotCap(k, lu.slot);
  }
  if (capType(nodeCap) !== CapTag.CNode) return syscallError(k, failedLookup(false, missingCapability(nodeDepth)));
  const nodeSize = 2 ** capGet(nodeCap, Cap.CNode.radix);
  if (nodeOffset > nodeSize - 1) return syscallError(k, rangeError(0, nodeSize - 1));
  if (nodeWindow < 1 || nodeWindow > RETYPE_FAN_OUT_LIMIT) return syscallError(k, rangeError(1, RETYPE_FAN_OUT_LIMIT));
  if (nodeWindow > nodeSize - nodeOffset) return syscallError(k, rangeError(1, nodeSize - nodeOffset));
  const destCNode = capGet(nodeCap, Cap.CNode.ptr);
  for (let i = nodeOffset; i < nodeOffset + nodeWindow; i++) {
    const status = ensureEmptySlot(k, slotPtr(destCNode, i));
    if (status !== EXCEPTION_NONE) return status;
  }

  const reset = ensureNoChildren(k, slot) === EXCEPTION_NONE;
  const regionBase = capGet(cap, Cap.Untyped.ptr);
  const freeIndex = reset ? 0 : capGet(cap, Cap.Untyped.freeIndex);
  const freeBytes = 2 ** capGet(cap, Cap.Untyped.blockSize) - freeIndex;
  if (Math.floor(freeBytes / 2 ** objectSize) < nodeWindow) return syscallError(k, notEnoughMemory(freeBytes));
  const isDevice = capGet(cap, Cap.Untyped.isDevice) === 1;
  if (isDevice && !isFrameType(newType) && newType !== 'Untyped') return syscallError(k, invalidArgument(1));
  const retypeBase = alignUp(regionBase + freeIndex, objectSize);

  setThreadState(k, k.ksCurThread, TS.Restart);
  return invokeUntyped_Retype(k, slot, reset, retypeBase, newType, userSize, destCNode, nodeOffset, nodeWindow, isDevice);
};

/** Reset if decided, raise the watermark past the new objects, create them and their caps. */
export const invokeUntyped_Retype = seam(
  'invokeUntyped_Retype',
  (
    k: Kernel,
    srcSlot: number,
    reset: boolean,
    retypeBase: number,
    newType: ObjectType,
    userSize: number,
    destCNode: number,
    destOffset: number,
    destLength: number,
    deviceMemory: boolean,
  ): Exception => {
    const regionBase = capGet(getSlotCap(k, srcSlot), Cap.Untyped.ptr);
    if (reset) {
      const status = resetUntypedCap(k, srcSlot);
      if (status !== EXCEPTION_NONE) return status;
    }
    const totalObjectSize = destLength * 2 ** getObjectSize(newType, userSize);
    setFreeIndex(k, srcSlot, retypeBase + totalObjectSize - regionBase);
    const destSlots: number[] = [];
    for (let i = destOffset; i < destOffset + destLength; i++) destSlots.push(slotPtr(destCNode, i));
    createNewObjects(k, newType, srcSlot, destSlots, retypeBase, userSize, deviceMemory);
    return EXCEPTION_NONE;
  },
);
