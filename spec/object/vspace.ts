/**
 * Invocations of ARM VSpace caps: frames, page tables, page directories, ASID
 * control and pools. Decoding checks in seL4's order; performing changes the
 * state. So far the model performs a frame's GetAddress and the cache
 * operations on frames and page directories; Map, Unmap, MakePool and Assign
 * are refused as NotModelled (spec/DEVIATIONS.md 1), and every other label is
 * seL4's IllegalOperation.
 *
 * The cache operations clean or invalidate caches this model does not have:
 * performing one changes nothing, and only its checks are observable.
 *
 * seL4: C src/arch/arm/32/kernel/vspace.c (decodeARMMMUInvocation,
 * decodeARMFrameInvocation, decodeARMPageDirectoryInvocation,
 * performPageGetAddress, performPageFlush, performPDFlush); abstract spec
 * ArchDecode_A.thy (arch_decode_invocation), Arch_A.thy.
 */
import * as E from 'fp-ts/Either';
import { type SyscallError, failedLookup, illegalOperation, invalidArgument, invalidCapability, invalidRoot, rangeError, truncatedMessage } from '../api/errors';
import { KERNEL_BASE, LARGE_PAGE_BITS, PAGE_BITS, SECTION_BITS, SUPER_SECTION_BITS } from '../api/config';
import { type InvocationLabel, invocationLabelOf } from '../api/invocationLabel';
import { mask } from '../api/word';
import { getPageDirectory, getPageTable } from '../model/heap';
import type { KernelState } from '../model/state';
import type { Cap, PPtr } from '../model/structures';
import { findPDForASID, pdIndexOf, ptIndexOf } from '../kernel/vspace';

/** A decoded VSpace invocation the model performs. */
export type ARMMMUInvocation =
  /** GetAddress: the frame's physical address, the one word of the reply. */
  | { readonly _tag: 'PageGetAddress'; readonly paddr: number }
  /** A cache operation on a frame or a page directory's range (or none to do): no state changes. */
  | { readonly _tag: 'Flush'; readonly label: InvocationLabel };

/** What decoding yields: an invocation to perform, or one the model does not cover yet. */
export type ARMMMUDecoded = ARMMMUInvocation | { readonly _tag: 'NotModelled'; readonly what: string };

const PD_FLUSH: ReadonlySet<InvocationLabel> = new Set(['ARMPDClean_Data', 'ARMPDInvalidate_Data', 'ARMPDCleanInvalidate_Data', 'ARMPDUnify_Instruction']);
const PAGE_FLUSH: ReadonlySet<InvocationLabel> = new Set(['ARMPageClean_Data', 'ARMPageInvalidate_Data', 'ARMPageCleanInvalidate_Data', 'ARMPageUnify_Instruction']);

/** `resolveVAddr`: the frame a virtual address lands in through a page directory (its size in bits and base), or null. */
export const resolveVAddr = (s: KernelState, pd: PPtr, vaddr: number): { readonly sizeBits: number; readonly base: number } | null => {
  const pde = getPageDirectory(s, pd).entries.get(pdIndexOf(vaddr));
  switch (pde?._tag) {
    case 'SectionPDE':
      return { sizeBits: SECTION_BITS, base: pde.frame };
    case 'SuperSectionPDE':
      return { sizeBits: SUPER_SECTION_BITS, base: pde.frame };
    case 'PageTablePDE': {
      const pte = getPageTable(s, pde.table).entries.get(ptIndexOf(vaddr));
      if (pte === undefined) return null;
      return { sizeBits: pte._tag === 'SmallPagePTE' ? PAGE_BITS : LARGE_PAGE_BITS, base: pte.frame };
    }
    default:
      return null;
  }
};

const pageBase = (vaddr: number, sizeBits: number): number => (vaddr & ~mask(sizeBits)) >>> 0;

/** `decodeARMPageDirectoryInvocation`: the four cache operations on a range of the PD's address space. */
const decodePageDirectory = (
  s: KernelState,
  label: InvocationLabel,
  args: readonly number[],
  cap: Extract<Cap, { _tag: 'PageDirectoryCap' }>,
): E.Either<SyscallError, ARMMMUDecoded> => {
  if (!PD_FLUSH.has(label)) return E.left(illegalOperation);
  if (args.length < 2) return E.left(truncatedMessage);
  const start = (args[0] ?? 0) >>> 0;
  const end = (args[1] ?? 0) >>> 0;
  if (end <= start) return E.left(invalidArgument(1));
  // No flushing of the kernel's own window.
  if (start >= KERNEL_BASE || end > KERNEL_BASE) return E.left(illegalOperation);
  if (cap.mappedASID === null) return E.left(invalidCapability(0));
  const pd = findPDForASID(s, cap.mappedASID);
  if (pd === null) return E.left(failedLookup(false, invalidRoot));
  if (pd !== cap.ptr) return E.left(invalidCapability(0));
  const frame = resolveVAddr(s, pd, start);
  // Nothing mapped at start: nothing can be cached for it, and seL4 succeeds without a word.
  if (frame === null) return E.right({ _tag: 'Flush', label });
  if (pageBase(start, frame.sizeBits) !== pageBase(end - 1, frame.sizeBits)) return E.left(rangeError(start, pageBase(start, frame.sizeBits) + mask(frame.sizeBits)));
  return E.right({ _tag: 'Flush', label });
};

/** `decodeARMFrameInvocation`: Map and Unmap (not modelled yet), the four cache operations, GetAddress. */
const decodeFrame = (s: KernelState, label: InvocationLabel, args: readonly number[], cap: Extract<Cap, { _tag: 'FrameCap' }>): E.Either<SyscallError, ARMMMUDecoded> => {
  if (label === 'ARMPageMap' || label === 'ARMPageUnmap') return E.right({ _tag: 'NotModelled', what: `${label} of a frame` });
  if (label === 'ARMPageGetAddress') return E.right({ _tag: 'PageGetAddress', paddr: cap.ptr });
  if (!PAGE_FLUSH.has(label)) return E.left(illegalOperation);
  if (args.length < 2) return E.left(truncatedMessage);
  if (cap.mapped === null) return E.left(illegalOperation);
  const pd = findPDForASID(s, cap.mapped.asid);
  if (pd === null) return E.left(failedLookup(false, invalidRoot));
  const start = (args[0] ?? 0) >>> 0;
  const end = (args[1] ?? 0) >>> 0;
  if (end <= start) return E.left(invalidArgument(1));
  // The cap's mapping must still be the one in the page tables (flushes go by virtual address).
  const frame = resolveVAddr(s, pd, cap.mapped.vaddr);
  if (frame === null || frame.sizeBits !== cap.sizeBits || frame.base !== cap.ptr) return E.left(invalidCapability(0));
  // start and end are offsets into the frame.
  if (start >= 2 ** cap.sizeBits || end > 2 ** cap.sizeBits) return E.left(invalidArgument(0));
  return E.right({ _tag: 'Flush', label });
};

/** `decodeARMMMUInvocation`: the decoder of the invoked VSpace cap's kind. */
export const decodeARMMMUInvocation = (s: KernelState, labelWord: number, args: readonly number[], cap: Cap): E.Either<SyscallError, ARMMMUDecoded> => {
  const label = invocationLabelOf(labelWord);
  switch (cap._tag) {
    case 'PageDirectoryCap':
      return decodePageDirectory(s, label, args, cap);
    case 'FrameCap':
      return decodeFrame(s, label, args, cap);
    case 'PageTableCap':
      return label === 'ARMPageTableMap' || label === 'ARMPageTableUnmap' ? E.right({ _tag: 'NotModelled', what: `${label} of a page table` }) : E.left(illegalOperation);
    case 'ASIDControlCap':
      return label === 'ARMASIDControlMakePool' ? E.right({ _tag: 'NotModelled', what: 'ARMASIDControlMakePool' }) : E.left(illegalOperation);
    case 'ASIDPoolCap':
      return label === 'ARMASIDPoolAssign' ? E.right({ _tag: 'NotModelled', what: 'ARMASIDPoolAssign' }) : E.left(illegalOperation);
    default:
      return E.right({ _tag: 'NotModelled', what: `invocation of a ${cap._tag}` });
  }
};

/** Perform a decoded VSpace invocation: the words of a Call's reply (GetAddress's one word); nothing changes. */
export const invokeARMMMU = (inv: ARMMMUInvocation): readonly number[] => (inv._tag === 'PageGetAddress' ? [inv.paddr] : []);
