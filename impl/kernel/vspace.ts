/**
 * ARM page tables in memory as the hardware reads them (short descriptors),
 * the ASID table and pools, and what capability deletion and IPC need of
 * them: unmapping frames and page tables, invalidating ASIDs, copying the
 * kernel window into new page directories, and locating IPC buffers.
 *
 * seL4: C src/arch/arm/32/kernel/vspace.c; spec twin: spec/kernel/vspace.ts.
 */
import { ASID_LOW_BITS, KERNEL_PD_INDEX, PAGE_BITS, mask, TCB_BUFFER, VM_READ_ONLY, VM_READ_WRITE } from '../../spec/api';
import { tableAt } from '../model/memory';
import { AP_OF_RIGHTS, PDE_TYPE_COARSE, PDE_TYPE_SECTION, Pde, Pte, Tcb, getField, setField } from '../model/layout';
import { getSlotCap, slotPtr, tcbGet } from '../model/heap';
import { frameBase, frameIsDevice, frameRights, frameSizeBits, isFrameCap } from '../model/capability';
import type { Kernel } from '../model/state';

export const pdSlot = (pd: number, vaddr: number): number => pd + 4 * (vaddr >>> 20);
export const ptSlot = (pt: number, vaddr: number): number => pt + 4 * ((vaddr >>> PAGE_BITS) & 0xff);

/** The ASID table index of an ASID's pool, and the address of its entry in that pool. */
export const asidHigh = (asid: number): number => asid >>> ASID_LOW_BITS;
export const asidPoolEntry = (pool: number, asid: number): number => pool + 4 * (asid & mask(ASID_LOW_BITS));

/** `findPDForASID`: the page directory of an ASID, or 0. */
export const findPDForASID = (k: Kernel, asid: number): number => {
  const pool = k.armKSASIDTable.get(asidHigh(asid));
  if (pool === 0) return 0;
  return k.mem.load(asidPoolEntry(pool, asid));
};

/** `lookupPTSlot`: the PTE slot for a vaddr, or 0 when no page table covers it. */
export const lookupPTSlot = (k: Kernel, pd: number, vaddr: number): number => {
  const pde = k.mem.load(pdSlot(pd, vaddr));
  if (getField(pde, Pde.type) !== PDE_TYPE_COARSE) return 0;
  return ptSlot(getField(pde, Pde.coarseAddress), vaddr);
};

const isSmallPTE = (pte: number): boolean => getField(pte, Pte.small) === 1;
const isLargePTE = (pte: number): boolean => getField(pte, Pte.small) === 0 && getField(pte, Pte.large) === 1;

/** `unmapPage`: clear the entries of a frame's mapping if they still map this frame. */
export const unmapPage = (k: Kernel, sizeBits: number, asid: number, vaddr: number, frame: number): void => {
  const pd = findPDForASID(k, asid);
  if (pd === 0) return;
  if (sizeBits === 12 || sizeBits === 16) {
    const p = lookupPTSlot(k, pd, vaddr);
    if (p === 0) return;
    const pte = k.mem.load(p);
    if (sizeBits === 12) {
      if (!(isSmallPTE(pte) && getField(pte, Pte.smallAddress) === frame)) return;
      k.mem.store(p, 0);
    } else {
      if (!(isLargePTE(pte) && getField(pte, Pte.largeAddress) === frame)) return;
      for (let i = 0; i < 16; i++) k.mem.store(p + 4 * i, 0);
    }
    return;
  }
  const p = pdSlot(pd, vaddr);
  const pde = k.mem.load(p);
  if (getField(pde, Pde.type) !== PDE_TYPE_SECTION) return;
  if (sizeBits === 20) {
    if (getField(pde, Pde.superSection) !== 0 || getField(pde, Pde.sectionAddress) !== frame) return;
    k.mem.store(p, 0);
  } else {
    if (getField(pde, Pde.superSection) !== 1 || getField(pde, Pde.superSectionAddress) !== frame) return;
    for (let i = 0; i < 16; i++) k.mem.store(p + 4 * i, 0);
  }
};

/** `unmapPageTable`: clear the PDE that points at this page table, if it still does. */
export const unmapPageTable = (k: Kernel, asid: number, vaddr: number, pt: number): void => {
  const pd = findPDForASID(k, asid);
  if (pd === 0) return;
  const p = pdSlot(pd, vaddr);
  const pde = k.mem.load(p);
  if (getField(pde, Pde.type) === PDE_TYPE_COARSE && getField(pde, Pde.coarseAddress) === pt) k.mem.store(p, 0);
};

export const deleteASID = (k: Kernel, asid: number, pd: number): void => {
  const pool = k.armKSASIDTable.get(asidHigh(asid));
  if (pool === 0) return;
  const entry = asidPoolEntry(pool, asid);
  if (k.mem.load(entry) === pd) k.mem.store(entry, 0);
};

export const deleteASIDPool = (k: Kernel, base: number, pool: number): void => {
  const high = base >>> ASID_LOW_BITS;
  if (k.armKSASIDTable.get(high) === pool) k.armKSASIDTable.set(high, 0);
};

/** `copyGlobalMappings`: a new page directory shares the kernel window with the global one. */
export const copyGlobalMappings = (k: Kernel, globalPD: number, pd: number): void => {
  for (let i = KERNEL_PD_INDEX; i < 4096; i++) k.mem.store(pd + 4 * i, k.mem.load(globalPD + 4 * i));
};

/** `lookupIPCBuffer`: the kernel address of a thread's IPC buffer, or 0 if it has none usable. */
export const lookupIPCBuffer = (k: Kernel, isReceiver: boolean, t: number): number => {
  const cap = getSlotCap(k, slotPtr(t, TCB_BUFFER));
  if (!isFrameCap(cap) || frameIsDevice(cap)) return 0;
  const rights = frameRights(cap);
  if (!(rights === VM_READ_WRITE || (!isReceiver && rights === VM_READ_ONLY))) return 0;
  return frameBase(cap) + (tcbGet(k, t, Tcb.ipcBuffer) & mask(frameSizeBits(cap)));
};

// ---------------------------------------------------------------- entry encodings

export interface Attributes {
  readonly cacheable: boolean;
  readonly parity: boolean;
  readonly executeNever: boolean;
}

export const makeSmallPTE = (frame: number, rights: number, a: Attributes): number => {
  let w = setField(0, Pte.smallAddress, frame);
  w = setField(w, Pte.small, 1);
  w = setField(w, Pte.smallExecuteNever, a.executeNever ? 1 : 0);
  w = setField(w, Pte.ap, tableAt(AP_OF_RIGHTS, rights, 'VM rights'));
  w = setField(w, Pte.cacheable, a.cacheable ? 1 : 0);
  return setField(w, Pte.bufferable, a.cacheable ? 1 : 0);
};

export const makeCoarsePDE = (pt: number, parity: boolean): number =>
  setField(setField(setField(0, Pde.coarseAddress, pt), Pde.type, PDE_TYPE_COARSE), Pde.coarseParity, parity ? 1 : 0);

export const makeSectionPDE = (frame: number, superSection: boolean, rights: number, a: Attributes): number => {
  let w = setField(0, superSection ? Pde.superSectionAddress : Pde.sectionAddress, frame);
  w = setField(w, Pde.type, PDE_TYPE_SECTION);
  w = setField(w, Pde.superSection, superSection ? 1 : 0);
  w = setField(w, Pde.executeNever, a.executeNever ? 1 : 0);
  w = setField(w, Pde.parity, a.parity ? 1 : 0);
  w = setField(w, Pde.ap, tableAt(AP_OF_RIGHTS, rights, 'VM rights'));
  w = setField(w, Pde.cacheable, a.cacheable ? 1 : 0);
  return setField(w, Pde.bufferable, a.cacheable ? 1 : 0);
};
