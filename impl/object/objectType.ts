/**
 * Creating objects in untyped memory the C way: the region is already zero
 * (reset guarantees it), so a new object only needs its non-zero fields set;
 * and forgetting the objects of a region being reset. The ghost object table
 * records what exists for the abstraction function; the kernel never reads it.
 *
 * seL4: C src/object/objecttype.c (createObject, createNewObjects),
 * src/arch/arm/32/object/objecttype.c (Arch_createObject); spec twin:
 * spec/object/objectType.ts.
 */
import {
  CPSR,
  CPSR_USER,
  GLOBAL_PD_PTR,
  type ObjectType,
  TIME_SLICE,
  VM_READ_WRITE,
  TCB_BITS,
  ENDPOINT_BITS,
  NOTIFICATION_BITS,
  SLOT_BITS,
  PAGE_TABLE_BITS,
  PAGE_DIRECTORY_BITS,
  PAGE_BITS,
  LARGE_PAGE_BITS,
  SECTION_BITS,
  SUPER_SECTION_BITS,
} from '../../spec/api';
import { type CapT, Mdb, Tcb, setField } from '../model/layout';
import { setRegister, setSlotCap, setMdbNode, tcbSet, mdbNext, setMdbPrev, setMdbNext } from '../model/heap';
import { cnodeCapNew, endpointCapNew, frameCapNew, notificationCapNew, pageDirectoryCapNew, pageTableCapNew, threadCapNew, untypedCapNew } from '../model/capability';
import type { GhostObject, Kernel } from '../model/state';
import { copyGlobalMappings } from '../kernel/vspace';
import { KernelBug } from '../model/memory';

/** The frame sizes of the four ARM32 frame object types (log2 bytes), by type. */
const FRAME_BITS: Partial<Record<ObjectType, number>> = {
  SmallPage: PAGE_BITS,
  LargePage: LARGE_PAGE_BITS,
  Section: SECTION_BITS,
  SuperSection: SUPER_SECTION_BITS,
};

export const isFrameType = (t: ObjectType): boolean => FRAME_BITS[t] !== undefined;

/**
 * `getObjectSize`: log2 of an object's size in bytes (`userSize` is the size
 * of an Untyped and the radix of a CNode). The kernel's own table: the spec
 * has its own (spec/api/objectType.ts), so a wrong size shows as a divergence.
 */
export const getObjectSize = (t: ObjectType, userSize: number): number => {
  switch (t) {
    case 'Untyped':
      return userSize;
    case 'TCB':
      return TCB_BITS;
    case 'Endpoint':
      return ENDPOINT_BITS;
    case 'Notification':
      return NOTIFICATION_BITS;
    case 'CapTable':
      return SLOT_BITS + userSize;
    case 'PageTable':
      return PAGE_TABLE_BITS;
    case 'PageDirectory':
      return PAGE_DIRECTORY_BITS;
    default: {
      const bits = FRAME_BITS[t];
      if (bits === undefined) throw new KernelBug(`getObjectSize: no size for object type ${t}`);
      return bits;
    }
  }
};

const ghost = (k: Kernel, base: number, o: GhostObject): void => {
  k.ghostObjects.set(base, o);
};

/** `createObject`: initialise a zeroed region as a new object and return its cap. */
export const createObject = (k: Kernel, t: ObjectType, base: number, userSize: number, isDevice: boolean): CapT => {
  switch (t) {
    case 'Untyped':
      return untypedCapNew(base, userSize, 0, isDevice);
    case 'TCB':
      ghost(k, base, { type: 'TCB', sizeBits: TCB_BITS, isDevice: false });
      setRegister(k, base, CPSR, CPSR_USER);
      tcbSet(k, base, Tcb.timeSlice, TIME_SLICE);
      tcbSet(k, base, Tcb.domain, k.ksCurDomain);
      return threadCapNew(base);
    case 'Endpoint':
      ghost(k, base, { type: 'Endpoint', sizeBits: ENDPOINT_BITS, isDevice: false });
      return endpointCapNew(base, 0, true, true, true, true);
    case 'Notification':
      ghost(k, base, { type: 'Notification', sizeBits: NOTIFICATION_BITS, isDevice: false });
      return notificationCapNew(base, 0, true, true);
    case 'CapTable':
      ghost(k, base, { type: 'CNode', sizeBits: userSize + SLOT_BITS, isDevice: false });
      return cnodeCapNew(base, userSize, 0, 0);
    case 'PageTable':
      ghost(k, base, { type: 'PageTable', sizeBits: PAGE_TABLE_BITS, isDevice: false });
      return pageTableCapNew(base, false, 0, 0);
    case 'PageDirectory':
      ghost(k, base, { type: 'PageDirectory', sizeBits: PAGE_DIRECTORY_BITS, isDevice: false });
      copyGlobalMappings(k, GLOBAL_PD_PTR, base);
      return pageDirectoryCapNew(base, false, 0);
    default: {
      const bits = getObjectSize(t, 0);
      ghost(k, base, { type: 'Frame', sizeBits: bits, isDevice });
      return frameCapNew(base, bits, VM_READ_WRITE, isDevice, 0, 0);
    }
  }
};

/** `insertNewCap`: the new cap goes right after its untyped in the MDB list, revocable and first-badged. */
const insertNewCap = (k: Kernel, parent: number, slot: number, cap: CapT): void => {
  const next = mdbNext(k, parent);
  setSlotCap(k, slot, cap);
  const w0 = setField(setField(setField(0, Mdb.next, next), Mdb.revocable, 1), Mdb.firstBadged, 1);
  setMdbNode(k, slot, { w0, w1: setField(0, Mdb.prev, parent) });
  if (next !== 0) setMdbPrev(k, next, slot);
  setMdbNext(k, parent, slot);
};

export const createNewObjects = (k: Kernel, t: ObjectType, parent: number, destSlots: readonly number[], regionBase: number, userSize: number, isDevice: boolean): void => {
  const size = 2 ** getObjectSize(t, userSize);
  destSlots.forEach((slot, i) => {
    insertNewCap(k, parent, slot, createObject(k, t, regionBase + i * size, userSize, isDevice));
  });
};

/** Forget every object inside [base, base + 2^sizeBits) (the C kernel has nothing to do here). */
export const deleteObjects = (k: Kernel, base: number, sizeBits: number): void => {
  const end = base + 2 ** sizeBits;
  for (const p of [...k.ghostObjects.keys()]) if (p >= base && p < end) k.ghostObjects.delete(p);
};
