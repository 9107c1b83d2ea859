/**
 * Uncounted reads of the concrete kernel's memory for the abstraction function
 * and the representation invariants (the cost model counts only the kernel's
 * own accesses), and the list in which they report what they find wrong.
 */
import { PAGE_BITS, RAM_BASE, TCB_OFFSET } from '../../spec/api';
import { type CapT, CTE_BYTES, type Field, getField } from '../../impl/model/layout';
import type { Kernel } from '../../impl/model/state';

export const word = (k: Kernel, paddr: number): number => k.mem.peek(paddr);

export const field = (k: Kernel, obj: number, f: Field): number => getField(word(k, obj + 4 * f.word), f);

export const tcbWord = (k: Kernel, tcb: number, index: number): number => word(k, tcb + TCB_OFFSET + 4 * index);

export const slotCap = (k: Kernel, slot: number): CapT => ({ w0: word(k, slot), w1: word(k, slot + 4) });

export const slotAt = (obj: number, index: number): number => obj + index * CTE_BYTES;

/**
 * Each non-zero word of `count` words from `base`, as (index, value), read
 * straight from the memory array and skipping pages that are all zero.
 */
export const forEachNonZeroWord = (k: Kernel, base: number, count: number, f: (index: number, value: number) => void): void => {
  const words = k.mem.words;
  const first = (base - RAM_BASE) / 4;
  const perPage = 2 ** (PAGE_BITS - 2);
  for (let i = 0; i < count;) {
    const stop = Math.min(count, i + perPage - ((first + i) % perPage));
    if (k.mem.pageMayBeDirty(base + 4 * i))
      for (let j = i; j < stop; j++) {
        const w = words[first + j] ?? 0;
        if (w !== 0) f(j, w);
      }
    i = stop;
  }
};

/** A representation-invariant violation: where, and what is wrong (the same shape as the kernel invariants'). */
export type { Violation } from '../../invariants/violation';
export { hex } from '../../spec/api/word';
