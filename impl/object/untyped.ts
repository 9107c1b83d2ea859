/**
 * Untyped_Retype on the packed kernel: every check in seL4's order, the reset
 * of an untyped without children (zeroing 256-byte chunks from the watermark
 * down, with preemption points), the new watermark in the cap's free-index
 * field, and the new objects.
 *
 * seL4: C src/object/untyped.c; spec twin: spec/object/untyped.ts.
 */
import {
  MAX_UNTYPED_BITS,
  MIN_UNTYPED_BITS,
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
import { ensureEmptySlot, ensureNoChildren, lookupTargetSlot } from '../kernel/cspace';
import { preemptionPoint } from '../kernel/preemption';
import { setThreadState } from '../kernel/thread';
import { TS } from '../model/layout';
import { createNewObjects, deleteObjects, getObjectSize, isFrameType } from './objectType';



const setFreeIndex = (k: Kernel, slot: number, freeIndex: number): void =>
  setSlotCap(k, slot, capSet(getSlotCap(k, slot), Cap.Untyped.freeIndex, freeIndex));

/** `resetUntypedCap`: zero the used part of the region and move the watermark back to 0. */
export const resetUntypedCap = (k: Kernel, slot: number): Exception => {
  const cap = getSlotCap(k, slot);
  const base = capGet(cap, Cap.Untyped.ptr);
  const blockSize = capGet(cap, Cap.Untyped.blockSize);
  const isDevice = capGet(cap, Cap.Untyped.isDevice) === 1;
  const offset = capGet(cap, Cap.Untyped.freeIndex);
  if (offset === 0) return EXCEPTION_NONE;
  deleteObjects(k, base, blockSize);
  const zeroes = !k.mutants.has('reset-skips-zeroing');
  if (isDevice || blockSize < RESET_CHUNK_BITS) {
    if (!isDevice && zeroes) k.mem.zero(base, 2 ** blockSize);
    setFreeIndex(k, slot, 0);
    return EXCEPTION_NONE;
  }
  const chunk = 2 ** RESET_CHUNK_BITS;
  for (let off = Math.floor((offset - 1) / chunk) * chunk; off >= 0; off -= chunk) {
    if (zeroes) k.mem.zero(base + off, chunk);
    setFreeIndex(k, slot, off);
    const status = preemptionPoint(k);
    if (status !== EXCEPTION_NONE) return status;
  }
  return EXCEPTION_NONE;
};

/** `decodeUntypedInvocation`, then (with the caller in Restart) `invokeUntyped_Retype`. */
export const decodeUntypedInvocation = (
  k: Kernel,
  label: number,
  length: number,
  slot: number,
  cap: CapT,
  arg: (i: number) => number,
  extraCaps: readonly CapT[],
): Exception => {
  if (label !== LABEL.UntypedRetype) return syscallError(k, { _tag: 'IllegalOperation' });
  const rootCap = extraCaps[0];
  if (length < 6 || rootCap === undefined) return syscallError(k, { _tag: 'TruncatedMessage' });
  const newTypeW = arg(0);
  const userSize = arg(1);
  const nodeIndex = arg(2);
  const nodeDepth = arg(3);
  const nodeOffset = arg(4);
  const nodeWindow = arg(5);
  const newType = objectTypeOf(newTypeW);
  if (newType === undefined) return syscallError(k, invalidArgument(0));
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
  const cnode = capGet(nodeCap, Cap.CNode.ptr);
  const destSlots: number[] = [];
  for (let i = nodeOffset; i < nodeOffset + nodeWindow; i++) {
    const status = ensureEmptySlot(k, slotPtr(cnode, i));
    if (status !== EXCEPTION_NONE) return status;
    destSlots.push(slotPtr(cnode, i));
  }

  const reset = ensureNoChildren(k, slot) === EXCEPTION_NONE;
  const regionBase = capGet(cap, Cap.Untyped.ptr);
  const freeIndex = reset ? 0 : capGet(cap, Cap.Untyped.freeIndex);
  const freeBytes = 2 ** capGet(cap, Cap.Untyped.blockSize) - freeIndex;
  if (Math.floor(freeBytes / 2 ** objectSize) < nodeWindow) return syscallError(k, notEnoughMemory(freeBytes));
  const isDevice = capGet(cap, Cap.Untyped.isDevice) === 1;
  if (isDevice && !isFrameType(newType) && newType !== 'Untyped') return syscallError(k, invalidArgument(1));
  const retypeBase = k.mutants.has('retype-ignores-alignment') ? regionBase + freeIndex : alignUp(regionBase + freeIndex, objectSize);

  setThreadState(k, k.ksCurThread, TS.Restart);
  // invokeUntyped_Retype
  if (reset) {
    const status = resetUntypedCap(k, slot);
    if (status !== EXCEPTION_NONE) return status;
  }
  const total = nodeWindow * 2 ** objectSize;
  setFreeIndex(k, slot, retypeBase + total - regionBase);
  createNewObjects(k, newType, slot, destSlots, retypeBase, userSize, isDevice);
  return EXCEPTION_NONE;
};
