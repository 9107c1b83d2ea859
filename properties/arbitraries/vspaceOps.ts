/**
 * VSpace invocations the model performs so far: a frame's GetAddress and the
 * cache operations on frames and page directories, with ranges near their
 * boundaries (empty, backwards, past a frame's end, across a page, into the
 * kernel window, at unmapped addresses), and labels a VSpace cap does not
 * take. The invoked cap is any VSpace cap the thread can reach.
 */
import { KERNEL_BASE, LABEL, ROOT_IMAGE_VADDR, ROOT_IPC_BUFFER_VADDR } from '../../spec/api';
import type { Cap } from '../../spec/model/structures';
import { type Step, at, call, choose, pick } from './common';
import { viewOf } from './view';

const VSPACE_CAPS: ReadonlySet<Cap['_tag']> = new Set(['FrameCap', 'PageDirectoryCap', 'PageTableCap', 'ASIDControlCap', 'ASIDPoolCap']);
const PAGE_FLUSHES = [LABEL.ARMPageClean_Data, LABEL.ARMPageInvalidate_Data, LABEL.ARMPageCleanInvalidate_Data, LABEL.ARMPageUnify_Instruction];
const PD_FLUSHES = [LABEL.ARMPDClean_Data, LABEL.ARMPDInvalidate_Data, LABEL.ARMPDCleanInvalidate_Data, LABEL.ARMPDUnify_Instruction];

/** A range [start, end) inside a frame of `size` bytes, or one of its edges. */
const frameRange = (n: number, size: number): [number, number] => {
  const ranges: Array<[number, number]> = [
    [0, 0x10],
    [0x10, 0x40],
    [0, size],
    [size - 4, size],
  ];
  const edges: Array<[number, number]> = [
    [8, 8],
    [0x40, 0x10],
    [0, size + 1],
    [size, size + 4],
  ];
  const i = choose(n, [0, 1, 2, 3], [4, 5, 6, 7]);
  return (i < 4 ? ranges[i] : edges[i - 4]) ?? [0, 4];
};

/** A range of a page directory's address space: in the root task's mapped pages, unmapped, across a page, into the kernel window. */
const pdRange = (n: number): [number, number] => {
  const ranges: Array<[number, number]> = [
    [ROOT_IPC_BUFFER_VADDR, ROOT_IPC_BUFFER_VADDR + 0x100],
    [ROOT_IMAGE_VADDR + 0x40, ROOT_IMAGE_VADDR + 0x80],
    [0x4000_0000, 0x4000_1000],
    [ROOT_IPC_BUFFER_VADDR + 0xff0, ROOT_IPC_BUFFER_VADDR + 0x1010],
  ];
  const edges: Array<[number, number]> = [
    [ROOT_IPC_BUFFER_VADDR, ROOT_IPC_BUFFER_VADDR],
    [KERNEL_BASE - 0x10, KERNEL_BASE + 0x10],
    [KERNEL_BASE, KERNEL_BASE + 0x10],
    [0x2000, 0x1000],
  ];
  const i = choose(n, [0, 1, 2, 3], [4, 5, 6, 7]);
  return (i < 4 ? ranges[i] : edges[i - 4]) ?? [0, 4];
};

export const vspaceOp =
  (n: readonly number[]): Step =>
  (s) => {
    const caps = viewOf(s).invokable.filter((c) => VSPACE_CAPS.has(c.cap._tag));
    const target = pick(caps, at(n, 0));
    if (target === undefined) return undefined;
    const { cptr, cap } = target;
    // Now and then a label the cap does not take (IllegalOperation).
    if (at(n, 1) % 8 === 7) return call(cptr, choose(at(n, 2), [LABEL.ARMPageGetAddress, LABEL.ARMPDClean_Data, LABEL.ARMPageTableMap - 1], [LABEL.CNodeCopy, 60]), [0, 4]);
    switch (cap._tag) {
      case 'FrameCap':
        if (at(n, 3) % 3 === 0) return call(cptr, LABEL.ARMPageGetAddress, []);
        return call(cptr, PAGE_FLUSHES[at(n, 4) % 4] ?? LABEL.ARMPageClean_Data, frameRange(at(n, 5), 2 ** cap.sizeBits));
      case 'PageDirectoryCap':
        return call(cptr, PD_FLUSHES[at(n, 4) % 4] ?? LABEL.ARMPDClean_Data, pdRange(at(n, 5)));
      default:
        // Page tables, ASID control and pools take only Map, Unmap, MakePool and Assign (not modelled yet): another label.
        return call(cptr, choose(at(n, 2), [LABEL.ARMPageGetAddress, LABEL.ARMPDClean_Data], [LABEL.InvalidInvocation]), [0, 4]);
    }
  };
