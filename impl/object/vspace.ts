/**
 * Invocations of ARM VSpace caps on the packed kernel: each decoder checks in
 * C's order and then, with the caller in Restart, performs. So far GetAddress
 * and the cache operations on frames and page directories are performed; Map,
 * Unmap, MakePool and Assign are not modelled yet, and every other label is
 * IllegalOperation. The cache operations have no cache to act on: they change
 * nothing (C's setVMRootForFlush and doFlush touch only hardware state).
 *
 * seL4: C src/arch/arm/32/kernel/vspace.c (decodeARMMMUInvocation,
 * decodeARMFrameInvocation, decodeARMPageDirectoryInvocation,
 * performPageGetAddress, resolveVAddr); spec twin: spec/object/vspace.ts.
 */
import {
  BADGE_REGISTER,
  KERNEL_BASE,
  LABEL,
  LARGE_PAGE_BITS,
  PAGE_BITS,
  SECTION_BITS,
  SUPER_SECTION_BITS,
  MSG_INFO_REGISTER,
  failedLookup,
  invalidRoot,
  mask,
} from '../../spec/api';
import { messageInfoNew } from '../model/abi';
import { Cap, CapTag, type CapT, PDE_TYPE_COARSE, PDE_TYPE_SECTION, Pde, Pte, TS, capGet, capType, getField } from '../model/layout';
import { frameBase, frameMappedASID, frameMappedAddress, frameSizeBits } from '../model/capability';
import { EXCEPTION_NONE, EXCEPTION_NOT_MODELLED, type Exception, type Kernel, syscallError } from '../model/state';
import { setRegister } from '../model/heap';
import { setMR } from '../kernel/message';
import { setThreadState } from '../kernel/thread';
import { findPDForASID, lookupIPCBuffer, pdSlot, ptSlot } from '../kernel/vspace';

/** `resolveVAddr`: the frame a virtual address lands in through a page directory (its size in bits and base), or undefined. */
export const resolveVAddr = (k: Kernel, pd: number, vaddr: number): { readonly sizeBits: number; readonly base: number } | undefined => {
  const pde = k.mem.load(pdSlot(pd, vaddr));
  switch (getField(pde, Pde.type)) {
    case PDE_TYPE_SECTION:
      return getField(pde, Pde.superSection) === 1
        ? { sizeBits: SUPER_SECTION_BITS, base: getField(pde, Pde.superSectionAddress) }
        : { sizeBits: SECTION_BITS, base: getField(pde, Pde.sectionAddress) };
    case PDE_TYPE_COARSE: {
      const pte = k.mem.load(ptSlot(getField(pde, Pde.coarseAddress), vaddr));
      if (getField(pte, Pte.small) === 1) return { sizeBits: PAGE_BITS, base: getField(pte, Pte.smallAddress) };
      if (getField(pte, Pte.large) === 1) return { sizeBits: LARGE_PAGE_BITS, base: getField(pte, Pte.largeAddress) };
      return undefined;
    }
    default:
      return undefined;
  }
};

const isPDFlush = (label: number): boolean => label >= LABEL.ARMPDClean_Data && label <= LABEL.ARMPDUnify_Instruction;
const isPageFlush = (label: number): boolean => label >= LABEL.ARMPageClean_Data && label <= LABEL.ARMPageUnify_Instruction;
const pageBase = (vaddr: number, bits: number): number => (vaddr & ~mask(bits)) >>> 0;

/** The flush succeeds: the caller is restarted (an empty reply to a Call), and no cache needs cleaning here. */
const performFlush = (k: Kernel): Exception => {
  setThreadState(k, k.ksCurThread, TS.Restart);
  return EXCEPTION_NONE;
};

const decodeARMPageDirectoryInvocation = (k: Kernel, label: number, length: number, cap: CapT, arg: (i: number) => number): Exception => {
  if (!isPDFlush(label)) return syscallError(k, { _tag: 'IllegalOperation' });
  if (length < 2) return syscallError(k, { _tag: 'TruncatedMessage' });
  const start = arg(0) >>> 0;
  const end = arg(1) >>> 0;
  if (end <= start) return syscallError(k, { _tag: 'InvalidArgument', argument: 1 });
  if (start >= KERNEL_BASE || end > KERNEL_BASE) return syscallError(k, { _tag: 'IllegalOperation' });
  if (capGet(cap, Cap.PageDirectory.isMapped) !== 1) return syscallError(k, { _tag: 'InvalidCapability', capIndex: 0 });
  const pd = capGet(cap, Cap.PageDirectory.ptr);
  const found = findPDForASID(k, capGet(cap, Cap.PageDirectory.asid));
  if (found === 0) return syscallError(k, failedLookup(false, invalidRoot));
  if (found !== pd) return syscallError(k, { _tag: 'InvalidCapability', capIndex: 0 });
  const frame = resolveVAddr(k, pd, start);
  // Nothing mapped at start, so nothing cached for it: success without a word.
  if (frame === undefined) return performFlush(k);
  const bits = frame.sizeBits;
  if (pageBase(start, bits) !== pageBase(end - 1, bits)) return syscallError(k, { _tag: 'RangeError', min: start, max: (pageBase(start, bits) + mask(bits)) >>> 0 });
  return performFlush(k);
};

const performPageGetAddress = (k: Kernel, base: number, call: boolean): Exception => {
  const thread = k.ksCurThread;
  if (call) {
    const ipcBuffer = lookupIPCBuffer(k, true, thread);
    setRegister(k, thread, BADGE_REGISTER, 0);
    const length = setMR(k, thread, ipcBuffer, 0, base);
    setRegister(k, thread, MSG_INFO_REGISTER, messageInfoNew(0, 0, 0, length));
  }
  setThreadState(k, thread, TS.Running);
  return EXCEPTION_NONE;
};

const decodeARMFrameInvocation = (k: Kernel, label: number, length: number, cap: CapT, call: boolean, arg: (i: number) => number): Exception | typeof EXCEPTION_NOT_MODELLED => {
  if (label === LABEL.ARMPageMap || label === LABEL.ARMPageUnmap) return EXCEPTION_NOT_MODELLED;
  if (label === LABEL.ARMPageGetAddress) {
    setThreadState(k, k.ksCurThread, TS.Restart);
    return performPageGetAddress(k, frameBase(cap), call);
  }
  if (!isPageFlush(label)) return syscallError(k, { _tag: 'IllegalOperation' });
  if (length < 2) return syscallError(k, { _tag: 'TruncatedMessage' });
  const asid = frameMappedASID(cap);
  const vaddr = frameMappedAddress(cap);
  if (asid === 0) return syscallError(k, { _tag: 'IllegalOperation' });
  const pd = findPDForASID(k, asid);
  if (pd === 0) return syscallError(k, failedLookup(false, invalidRoot));
  const start = arg(0) >>> 0;
  const end = arg(1) >>> 0;
  if (end <= start) return syscallError(k, { _tag: 'InvalidArgument', argument: 1 });
  const size = 2 ** frameSizeBits(cap);
  // The cap's mapping information must not be stale: flushes go by virtual address.
  const frame = resolveVAddr(k, pd, vaddr);
  if (frame === undefined || frame.sizeBits !== frameSizeBits(cap) || frame.base !== frameBase(cap)) return syscallError(k, { _tag: 'InvalidCapability', capIndex: 0 });
  if (start >= size || end > size) return syscallError(k, { _tag: 'InvalidArgument', argument: 0 });
  return performFlush(k);
};

/** `decodeARMMMUInvocation`. */
export const decodeARMMMUInvocation = (
  k: Kernel,
  label: number,
  length: number,
  cap: CapT,
  call: boolean,
  arg: (i: number) => number,
): Exception | typeof EXCEPTION_NOT_MODELLED => {
  switch (capType(cap)) {
    case CapTag.PageDirectory:
      return decodeARMPageDirectoryInvocation(k, label, length, cap, arg);
    case CapTag.PageTable:
      return label === LABEL.ARMPageTableMap || label === LABEL.ARMPageTableUnmap ? EXCEPTION_NOT_MODELLED : syscallError(k, { _tag: 'IllegalOperation' });
    case CapTag.SmallFrame:
    case CapTag.Frame:
      return decodeARMFrameInvocation(k, label, length, cap, call, arg);
    case CapTag.ASIDControl:
      return label === LABEL.ARMASIDControlMakePool ? EXCEPTION_NOT_MODELLED : syscallError(k, { _tag: 'IllegalOperation' });
    case CapTag.ASIDPool:
      return label === LABEL.ARMASIDPoolAssign ? EXCEPTION_NOT_MODELLED : syscallError(k, { _tag: 'IllegalOperation' });
    default:
      return EXCEPTION_NOT_MODELLED;
  }
};
