/**
 * Simulated physical RAM: one Uint32Array holding every kernel object and
 * every user frame, addressed by physical byte address. It counts word reads
 * and writes (the cost model of the benchmarks), remembers which 4 KiB
 * pages may hold non-zero words, so that a fresh machine, a reset and the
 * abstraction function need not scan all of memory, and logs which 16-byte
 * cells were written (exactly, at the granularity of the smallest object and
 * of a capability slot), so that the checker re-reads only what changed.
 */
import { PAGE_BITS, RAM_BASE, RAM_SIZE } from '../../spec/api';

export class KernelBug extends Error {
  override readonly name = 'KernelBug';
}

const PAGE_WORD_BITS = PAGE_BITS - 2;

/** A cell is 16 bytes: one capability slot, the smallest kernel object (an endpoint). */
export const CELL_BITS = 4;
const CELL_WORD_BITS = CELL_BITS - 2;
/** A zeroing of more cells than this is logged as one range rather than cell by cell. */
const ZERO_AS_RANGE_CELLS = 64;

/** What the kernel wrote since the log was last taken: cell addresses, and zeroed ranges as [start, end) pairs. */
export interface WriteLog {
  readonly cells: readonly number[];
  readonly zeroed: readonly (readonly [number, number])[];
}

export class PhysicalMemory {
  readonly words: Uint32Array;
  /** 1 where a page may hold a non-zero word; a page marked 0 is all zero. */
  readonly dirty: Uint8Array;
  /** The indices of the pages marked in `dirty`. */
  readonly dirtyPages = new Set<number>();
  /** 1 for each cell in `writtenCells`. The write log is read and emptied by the checker only (takeWriteLog). */
  private readonly cellLogged: Uint8Array;
  private writtenCells: number[] = [];
  private zeroedRanges: Array<readonly [number, number]> = [];
  reads = 0;
  writes = 0;
  /**
   * Past this many reads and writes the machine stops the kernel (a watchdog the
   * checker arms at every kernel entry, so a loop that never ends is reported
   * rather than hanging the check).
   */
  accessLimit = Infinity;

  constructor() {
    this.words = new Uint32Array(RAM_SIZE / 4);
    this.dirty = new Uint8Array(RAM_SIZE >>> PAGE_BITS);
    this.cellLogged = new Uint8Array(RAM_SIZE >>> CELL_BITS);
  }

  private logCell(wordIndex: number): void {
    const c = wordIndex >>> CELL_WORD_BITS;
    if (this.cellLogged[c] === 0) {
      this.cellLogged[c] = 1;
      this.writtenCells.push(c);
    }
  }

  /** The cells written and the ranges zeroed since the last call, as physical addresses; the log starts afresh. */
  takeWriteLog(): WriteLog {
    const cells = this.writtenCells.map((c) => {
      this.cellLogged[c] = 0;
      return RAM_BASE + (c << CELL_BITS);
    });
    const zeroed = this.zeroedRanges;
    this.writtenCells = [];
    this.zeroedRanges = [];
    return { cells, zeroed };
  }

  private index(paddr: number): number {
    const i = (paddr - RAM_BASE) / 4;
    if (!(i >= 0 && i < this.words.length) || paddr % 4 !== 0) throw new KernelBug(`kernel access to 0x${paddr.toString(16)} outside RAM or unaligned`);
    return i;
  }

  private watchdog(): void {
    throw new KernelBug('runaway kernel entry: it touched more memory words than any kernel entry may (a loop that does not end?)');
  }

  load(paddr: number): number {
    this.reads++;
    const i = this.index(paddr);
    if (this.reads + this.writes > this.accessLimit) this.watchdog();
    return this.words[i] as number;
  }

  store(paddr: number, value: number): void {
    this.writes++;
    const i = this.index(paddr);
    if (this.reads + this.writes > this.accessLimit) this.watchdog();
    this.words[i] = value;
    this.logCell(i);
    const page = i >>> PAGE_WORD_BITS;
    if (value !== 0) {
      if (this.dirty[page] === 0) {
        this.dirty[page] = 1;
        this.dirtyPages.add(page);
      }
    }
  }

  /** Zero all of memory and forget the counters, for reuse by a new machine. */
  reset(): void {
    for (const p of this.dirtyPages) {
      this.words.fill(0, p << PAGE_WORD_BITS, (p + 1) << PAGE_WORD_BITS);
      this.dirty[p] = 0;
    }
    this.dirtyPages.clear();
    this.takeWriteLog();
    this.reads = 0;
    this.writes = 0;
  }

  /** Zero [paddr, paddr + bytes); whole pages become clean. Counts one write per word. */
  zero(paddr: number, bytes: number): void {
    const start = this.index(paddr);
    const n = bytes / 4;
    if (!Number.isInteger(n) || n < 0 || start + n > this.words.length)
      throw new KernelBug(`kernel zeroing of ${bytes} bytes at 0x${paddr.toString(16)} runs outside RAM or is not whole words`);
    this.writes += n;
    if (this.reads + this.writes > this.accessLimit) this.watchdog();
    if (n === 0) return;
    if (n >>> CELL_WORD_BITS > ZERO_AS_RANGE_CELLS) this.zeroedRanges.push([paddr, paddr + bytes]);
    else for (let c = start >>> CELL_WORD_BITS; c <= (start + n - 1) >>> CELL_WORD_BITS; c++) this.logCell(c << CELL_WORD_BITS);
    const firstPage = start >>> PAGE_WORD_BITS;
    const lastPage = (start + n - 1) >>> PAGE_WORD_BITS;
    const wordsPerPage = 1 << PAGE_WORD_BITS;
    for (let p = firstPage; p <= lastPage; p++) {
      if (this.dirty[p] === 0) continue;
      const lo = Math.max(start, p * wordsPerPage);
      const hi = Math.min(start + n, (p + 1) * wordsPerPage);
      this.words.fill(0, lo, hi);
      if (lo === p * wordsPerPage && hi === (p + 1) * wordsPerPage) {
        this.dirty[p] = 0;
        this.dirtyPages.delete(p);
      }
    }
  }

  /** True when the page holding `paddr` may contain a non-zero word. */
  pageMayBeDirty(paddr: number): boolean {
    return this.dirty[this.pageOf(paddr)] === 1;
  }

  /** The page index of a physical address. */
  pageOf(paddr: number): number {
    return ((paddr - RAM_BASE) >>> 2) >>> PAGE_WORD_BITS;
  }

  /** The physical addresses of the pages that may hold non-zero words, ascending. */
  dirtyPageAddresses(): number[] {
    return [...this.dirtyPages].sort((a, b) => a - b).map((p) => RAM_BASE + p * 2 ** PAGE_BITS);
  }

  /** Read without counting (for the abstraction function and invariants, not the kernel). */
  peek(paddr: number): number {
    return this.words[this.index(paddr)] as number;
  }

  isRAM(paddr: number): boolean {
    return paddr >= RAM_BASE && paddr < RAM_BASE + RAM_SIZE;
  }
}

/**
 * A pool of memories: a fresh 32 MiB array per checked trace would keep the
 * garbage collector busy, so finished machines hand theirs back.
 */
const pool: PhysicalMemory[] = [];

export const acquireMemory = (): PhysicalMemory => {
  const m = pool.pop();
  if (m === undefined) return new PhysicalMemory();
  m.reset();
  return m;
};

export const releaseMemory = (m: PhysicalMemory): void => {
  if (pool.length < 4) pool.push(m);
};

/**
 * A kernel global array (ready-queue heads, bitmaps, the IRQ table, the ASID
 * table...). Every index the kernel uses is checked: one outside the array is
 * a KernelBug, where C would read or write past it and a bare typed array
 * would read undefined or drop the write without a word.
 */
export class KernelArray {
  /** The words themselves, for the abstraction function and comparisons (unchecked, not the kernel's). */
  readonly raw: Uint32Array;
  /** How many times the kernel wrote a word of it (so a checker can tell an unchanged table without reading it). */
  writes = 0;
  private readonly occupied = new Set<number>();

  constructor(
    readonly name: string,
    length: number,
  ) {
    this.raw = new Uint32Array(length);
  }

  get length(): number {
    return this.raw.length;
  }

  get(i: number): number {
    checkIndex(this.raw.length, i, this.name);
    return this.raw[i] as number;
  }

  set(i: number, v: number): void {
    checkIndex(this.raw.length, i, this.name);
    this.raw[i] = v;
    if (this.raw[i] === 0) this.occupied.delete(i);
    else this.occupied.add(i);
    this.writes++;
  }

  /** Whether the other array holds the same words (for a checker: looks at the non-zero ones only). */
  sameWords(other: KernelArray): boolean {
    if (other.raw.length !== this.raw.length || other.occupied.size !== this.occupied.size) return false;
    for (const i of this.occupied) if (other.raw[i] !== this.raw[i]) return false;
    return true;
  }

  /** The indices holding a non-zero word, in order (a checker visits these alone: the tables are mostly zero). */
  nonZeroIndices(): number[] {
    return [...this.occupied].sort((a, b) => a - b);
  }
}

const checkIndex = (length: number, i: number, name: string): void => {
  if (i >>> 0 !== i || i >= length) throw new KernelBug(`${name}[${i}]: index outside 0..${length - 1}`);
};

/** `xs[i]` of a table the kernel indexes (register orders, the domain schedule...): a KernelBug outside it. */
export const tableAt = <A>(xs: readonly A[], i: number, name: string): A => {
  checkIndex(xs.length, i, name);
  return xs[i] as A;
};

/** `xs[i] = v` in a table the kernel writes: a KernelBug outside it (a JavaScript array would grow instead). */
export const tableSet = <A>(xs: A[], i: number, v: A, name: string): void => {
  checkIndex(xs.length, i, name);
  xs[i] = v;
};
