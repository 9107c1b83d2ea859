/**
 * Uncounted reads of the concrete kernel's memory for the abstraction function
 * and the representation invariants (the cost model counts only the kernel's
 * own accesses), and the list in which they report what they find wrong.
 */
import { TCB_OFFSET } from '../../spec/api';
import { type CapT, CTE_BYTES, type Field, getField } from '../../impl/model/layout';
import type { Kernel } from '../../impl/model/state';

export const word = (k: Kernel, paddr: number): number => k.mem.peek(paddr);

export const field = (k: Kernel, obj: number, f: Field): number => getField(word(k, obj + 4 * f.word), f);

export const tcbWord = (k: Kernel, tcb: number, index: number): number => word(k, tcb + TCB_OFFSET + 4 * index);

export const slotCap = (k: Kernel, slot: number): CapT => ({ w0: word(k, slot), w1: word(k, slot + 4) });

export const slotAt = (obj: number, index: number): number => obj + index * CTE_BYTES;

/** A representation-invariant violation: where, and what is wrong. */
export interface Violation {
  readonly path: string;
  readonly message: string;
}

export const hexPtr = (p: number): string => '0x' + p.toString(16);
