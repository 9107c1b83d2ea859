/**
 * The parts of ARM virtual memory management that capability deletion and IPC
 * need: finding a page directory by ASID, removing frame and page-table
 * mappings, invalidating ASIDs, and locating a thread's IPC buffer. The TLB
 * and hardware ASIDs are not abstract state: flushes have no effect here.
 *
 * seL4: Haskell Kernel/VSpace/ARM.lhs (findPDForASID, lookupPTSlot,
 * unmapPage, unmapPageTable, deleteASID, deleteASIDPool, lookupIPCBuffer);
 * abstract spec ARM/ArchVSpace_A.thy; C src/arch/arm/32/kernel/vspace.c.
 */
import { ASID_LOW_BITS, PAGE_BITS } from '../api/config';
import type { FrameSizeBits } from '../api/objectType';
import { mask } from '../api/word';
import { type Transition, getASIDPool, getCap, getPageDirectory, getPageTable, getTCB, setObject, slotOf } from '../model/heap';
import { mapDelete } from '../model/immutable';
import type { KernelState } from '../model/state';
import { type PDE, type PPtr, type PTE, TCB_BUFFER } from '../model/structures';

export const pdIndexOf = (vaddr: number): number => vaddr >>> 20;
export const ptIndexOf = (vaddr: number): number => (vaddr >>> PAGE_BITS) & 0xff;

/** `findPDForASID`: the page directory assigned to an ASID, or null (InvalidRoot). */
export const findPDForASID = (s: KernelState, asid: number): PPtr | null => {
  const pool = s.asidTable.get(asid >>> ASID_LOW_BITS);
  if (pool === undefined) return null;
  return getASIDPool(s, pool).entries.get(asid & mask(ASID_LOW_BITS)) ?? null;
};

/** The page table a PDE slot points at, or null (lookupPTSlot's MissingCapability). */
export const lookupPT = (s: KernelState, pd: PPtr, vaddr: number): PPtr | null => {
  const pde = getPageDirectory(s, pd).entries.get(pdIndexOf(vaddr));
  return pde?._tag === 'PageTablePDE' ? pde.table : null;
};

const setPDEntries =
  (pd: PPtr, f: (m: Map<number, PDE>) => void): Transition =>
  (s) => {
    const entries = new Map(getPageDirectory(s, pd).entries);
    f(entries);
    return setObject(pd, { _tag: 'PageDirectory', entries })(s);
  };

const setPTEntries =
  (pt: PPtr, f: (m: Map<number, PTE>) => void): Transition =>
  (s) => {
    const entries = new Map(getPageTable(s, pt).entries);
    f(entries);
    return setObject(pt, { _tag: 'PageTable', entries })(s);
  };

/**
 * `unmapPage`: remove the mapping of a frame at (asid, vaddr) if it is still
 * there; a displaced or vanished mapping is left alone. Large pages and
 * supersections occupy 16 consecutive entries.
 */
export const unmapPage =
  (sizeBits: FrameSizeBits, asid: number, vaddr: number, frame: PPtr): Transition =>
  (s) => {
    const pd = findPDForASID(s, asid);
    if (pd === null) return s;
    if (sizeBits === 12 || sizeBits === 16) {
      const pt = lookupPT(s, pd, vaddr);
      if (pt === null) return s;
      const i = ptIndexOf(vaddr);
      const pte = getPageTable(s, pt).entries.get(i);
      const want = sizeBits === 12 ? 'SmallPagePTE' : 'LargePagePTE';
      if (pte?._tag !== want || pte.frame !== frame) return s;
      return setPTEntries(pt, (m) => {
        for (let k = 0; k < (sizeBits === 12 ? 1 : 16); k++) m.delete(i + k);
      })(s);
    }
    const i = pdIndexOf(vaddr);
    const pde = getPageDirectory(s, pd).entries.get(i);
    const want = sizeBits === 20 ? 'SectionPDE' : 'SuperSectionPDE';
    if (pde?._tag !== want || pde.frame !== frame) return s;
    return setPDEntries(pd, (m) => {
      for (let k = 0; k < (sizeBits === 20 ? 1 : 16); k++) m.delete(i + k);
    })(s);
  };

/** `unmapPageTable`: clear the PDE that points at this page table, if it still does. */
export const unmapPageTable =
  (asid: number, vaddr: number, pt: PPtr): Transition =>
  (s) => {
    const pd = findPDForASID(s, asid);
    if (pd === null || lookupPT(s, pd, vaddr) !== pt) return s;
    return setPDEntries(pd, (m) => m.delete(pdIndexOf(vaddr)))(s);
  };

/** `deleteASID`: the ASID no longer names this page directory. */
export const deleteASID =
  (asid: number, pd: PPtr): Transition =>
  (s) => {
    const poolPtr = s.asidTable.get(asid >>> ASID_LOW_BITS);
    if (poolPtr === undefined) return s;
    const pool = getASIDPool(s, poolPtr);
    const low = asid & mask(ASID_LOW_BITS);
    if (pool.entries.get(low) !== pd) return s;
    return setObject(poolPtr, { _tag: 'ASIDPool', entries: mapDelete(pool.entries, low) })(s);
  };

/** `deleteASIDPool`: the pool leaves the ASID table, invalidating all its ASIDs. */
export const deleteASIDPool =
  (base: number, pool: PPtr): Transition =>
  (s) => {
    const high = base >>> ASID_LOW_BITS;
    if (s.asidTable.get(high) !== pool) return s;
    return { ...s, asidTable: mapDelete(s.asidTable, high) };
  };

/**
 * `lookupIPCBuffer`: the physical address of a thread's IPC buffer, or
 * null when it has none usable: the buffer slot must hold a non-device
 * frame cap, read-write for a receiver, read-only or read-write for a sender.
 */
export const lookupIPCBuffer = (s: KernelState, isReceiver: boolean, t: PPtr): number | null => {
  const cap = getCap(s, slotOf(t, TCB_BUFFER));
  if (cap._tag !== 'FrameCap' || cap.isDevice) return null;
  if (!(cap.rights === 'VMReadWrite' || (!isReceiver && cap.rights === 'VMReadOnly'))) return null;
  return cap.ptr + (getTCB(s, t).ipcBuffer & mask(cap.sizeBits));
};
