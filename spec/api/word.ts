/**
 * 32-bit machine words. A `Word` is a JavaScript number holding an integer in
 * [0, 2^32). Every arithmetic result that models a C `word_t` goes through `u32`
 * so that no negative number or float leaks into the state.
 *
 * seL4: `word_t` on aarch32 (include/arch/arm/arch/32/mode/types.h).
 */

export type Word = number;

export const WORD_BITS = 32;
export const WORD_BYTES = 4;
export const MAX_WORD = 0xffffffff;

/** Reinterpret any integer as an unsigned 32-bit word (C's implicit conversion). */
export const u32 = (x: number): Word => x >>> 0;

/** True when `x` is a valid word value. */
export const isWord = (x: unknown): x is Word => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_WORD;

/** 2^n as a word (n in 0..31). */
export const bit = (n: number): Word => (n >= 32 ? 0 : (1 << n) >>> 0);

/** The low `bits` bits set (C's MASK(bits)); bits in 0..32. */
export const mask = (bits: number): Word => (bits >= 32 ? MAX_WORD : bit(bits) - 1);

/**
 * Logical right shift with C semantics for the shift counts the kernel uses:
 * JavaScript masks the count to 5 bits, so a shift by 32 must be spelled out.
 */
export const shr = (x: Word, n: number): Word => (n >= 32 ? 0 : x >>> n);

/** Left shift, truncated to a word; a shift by 32 or more gives 0. */
export const shl = (x: Word, n: number): Word => (n >= 32 ? 0 : (x << n) >>> 0);

export const and = (a: Word, b: Word): Word => (a & b) >>> 0;
export const or = (a: Word, b: Word): Word => (a | b) >>> 0;
export const not = (a: Word): Word => ~a >>> 0;
export const add = (a: Word, b: Word): Word => (a + b) >>> 0;
export const sub = (a: Word, b: Word): Word => (a - b) >>> 0;

/** Round `x` up to a multiple of 2^bits; the caller guarantees no overflow past 2^32. */
export const alignUp = (x: number, bits: number): number => {
  const size = 2 ** bits;
  return Math.ceil(x / size) * size;
};

export const isAligned = (x: number, bits: number): boolean => x % 2 ** bits === 0;

/** A signed 32-bit view, for syscall numbers (seL4 numbers them -1, -2, ...). */
export const toSigned = (w: Word): number => w | 0;

export const hex = (w: number): string => '0x' + w.toString(16);
