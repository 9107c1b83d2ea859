/**
 * Simulated physical RAM: one Uint32Array holding every kernel object and
 * every user frame, addressed by physical byte address. It counts word reads
 * and writes (the cost model of the benchmarks) and remembers which 4 KiB
 * pages may hold non-zero words, so that a fresh machine, a reset and the
 * abstraction function need not scan all of memory.
 */
import { PAGE_BITS, RAM_BASE, RAM_SIZE } from '../../spec/api';

export class KernelBug extends Error {
  override readonly name = 'KernelBug';
}

const PAGE_WORD_BITS = PAGE_BITS - 2;

export class PhysicalMemory {
  readonly words: Uint32Array;
  /** 1 where a page may hold a non-zero word; a page marked 0 is all zero. */
  readonly dirty: Uint8Array;
  reads = 0;
  writes = 0;

  constructor() {
    this.words = new Uint32Array(RAM_SIZE / 4);
    this.dirty = new Uint8Array(RAM_SIZE >>> PAGE_BITS);
  }

  private index(paddr: number): number {
    const i = (paddr - RAM_BASE) / 4;
    if (!(i >= 0 && i < this.words.length) || paddr % 4 !== 0)
      throw new KernelBug(`kernel access to 0x${paddr.toString(16)} outside RAM or unaligned`);
    return i;
  }

  load(paddr: number): number {
    this.reads++;
    return this.words[this.index(paddr)] ?? 0;
  }

  store(paddr: number, value: number): void {
    this.writes++;
    const i = this.index(paddr);
    this.words[i] = value;
    if (value !== 0) this.dirty[i >>> PAGE_WORD_BITS] = 1;
  }

  /** Zero [paddr, paddr + bytes); whole pages become clean. Counts one write per word. */
  zero(paddr: number, bytes: number): void {
    const start = this.index(paddr);
    const n = bytes / 4;
    this.writes += n;
    const firstPage = start >>> PAGE_WORD_BITS;
    const lastPage = (start + n - 1) >>> PAGE_WORD_BITS;
    const wordsPerPage = 1 << PAGE_WORD_BITS;
    for (let p = firstPage; p <= lastPage; p++) {
      if (this.dirty[p] === 0) continue;
      const lo = Math.max(start, p * wordsPerPage);
      const hi = Math.min(start + n, (p + 1) * wordsPerPage);
      this.words.fill(0, lo, hi);
      if (lo === p * wordsPerPage && hi === (p + 1) * wordsPerPage) this.dirty[p] = 0;
    }
  }

  /** True when the page holding `paddr` may contain a non-zero word. */
  pageMayBeDirty(paddr: number): boolean {
    return this.dirty[((paddr - RAM_BASE) >>> 2) >>> PAGE_WORD_BITS] === 1;
  }

  /** Read without counting (for the abstraction function and invariants, not the kernel). */
  peek(paddr: number): number {
    return this.words[(paddr - RAM_BASE) / 4] ?? 0;
  }

  isRAM(paddr: number): boolean {
    return paddr >= RAM_BASE && paddr < RAM_BASE + RAM_SIZE;
  }
}
