/**
 * Facts about the boot state that scenario tests lean on: which root CNode
 * slot holds which cap, and the first free slot.
 */
import { BOOT_UNTYPEDS, FIRST_FREE_SLOT, InitSlot, ObjectTypeNumber } from '../../spec/api';

/** The root CNode cap's cptr: the root task's own CNode, resolving 32 bits in one level. */
export const CNODE = InitSlot.ThreadCNode;
export const FREE = FIRST_FREE_SLOT;

/** The cptr of the first boot untyped of `sizeBits` bits (RAM unless `device`). */
export const untypedSlot = (sizeBits: number, device = false): number => {
  const i = BOOT_UNTYPEDS.findIndex((u) => u.sizeBits === sizeBits && u.isDevice === device);
  if (i < 0) throw new Error(`no ${sizeBits}-bit boot untyped`);
  return InitSlot.FirstUntyped + i;
};

export const untypedBase = (sizeBits: number, device = false): number => {
  const u = BOOT_UNTYPEDS.find((x) => x.sizeBits === sizeBits && x.isDevice === device);
  if (u === undefined) throw new Error(`no ${sizeBits}-bit boot untyped`);
  return u.paddr;
};

/** seL4's object type numbers (the Retype argument). */
export const ObjType = ObjectTypeNumber;
