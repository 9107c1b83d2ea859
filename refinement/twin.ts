/**
 * Whether the kernel with the fastpath on is, at this moment, the kernel with
 * it off word for word: the same memory, the same ghost table, the same
 * globals and tables. Most steps leave them so (the fastpath writes what the
 * slow path writes), and then the twin's abstraction is the other kernel's,
 * already compared with the spec, and there is no hidden structure in which
 * they could differ: the three-way check need not look at the twin at all.
 *
 * Kept up to date from what each step wrote in either kernel (the write logs
 * the comparison takes anyway): the cells and ghost entries that differ are
 * a set, re-examined where either kernel wrote, so each step costs what it
 * wrote. Every other field of the two kernels is compared every time, by
 * value, but for the two that differ by construction and that neither the
 * abstraction nor the comparison reads: the fastpath switch and the seam
 * table (the twin's counts its fastpath entries).
 */
import { PAGE_BITS, RAM_BASE } from '../spec/api';
import { CELL_BITS, KernelArray, PhysicalMemory } from '../impl/model/memory';
import { GhostTable, type GhostObject, type Kernel } from '../impl/model/state';
import type { Footprint } from './abstract/image';
import { deepEqual } from './diff';

const CELL = 2 ** CELL_BITS;
const CELL_WORDS = CELL / 4;
const PAGE = 2 ** PAGE_BITS;

/** The Kernel fields that differ between the two by construction, and that nothing compared reads. */
const BY_CONSTRUCTION: ReadonlySet<string> = new Set(['fastpath', 'seams']);

const sameGhost = (a: GhostObject | undefined, b: GhostObject | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.type === b.type && a.sizeBits === b.sizeBits && a.isDevice === b.isDevice);

export class KernelIdentity {
  /** Cells (by physical address) whose words differ between the two memories. */
  private readonly cells = new Set<number>();
  /** Addresses whose ghost entries differ. */
  private readonly ghosts = new Set<number>();
  /** The kernels' tables side by side, and the names of their other fields (not memory, not the ghost table). */
  private readonly tables: Array<readonly [KernelArray, KernelArray]> = [];
  private readonly scalars: Array<keyof Kernel> = [];

  /** Compare the two kernels whole: every page either may have written, every ghost entry. */
  constructor(
    private readonly a: Kernel,
    private readonly b: Kernel,
  ) {
    for (const page of new Set([...a.mem.dirtyPages, ...b.mem.dirtyPages])) this.range(RAM_BASE + page * PAGE, RAM_BASE + (page + 1) * PAGE);
    for (const p of new Set([...a.ghostObjects.keys(), ...b.ghostObjects.keys()])) this.ghost(p);
    for (const key of Object.keys(a) as Array<keyof Kernel>) {
      const x = a[key];
      const y = b[key];
      if (BY_CONSTRUCTION.has(key) || x instanceof PhysicalMemory || x instanceof GhostTable) continue;
      if (x instanceof KernelArray && y instanceof KernelArray) this.tables.push([x, y]);
      else this.scalars.push(key);
    }
  }

  /** After a step that wrote these: whether the two kernels are now identical. */
  update(fa: Footprint, fb: Footprint): boolean {
    for (const f of [fa, fb]) {
      for (const c of f.log.cells) this.cell(c);
      for (const [start, end] of f.log.zeroed) this.range(start, end);
      for (const p of f.ghostChanges) this.ghost(p);
    }
    return this.cells.size === 0 && this.ghosts.size === 0 && this.fieldsEqual();
  }

  private cell(c: number): void {
    const i = (c - RAM_BASE) / 4;
    const wa = this.a.mem.words;
    const wb = this.b.mem.words;
    let same = true;
    for (let w = i; w < i + CELL_WORDS; w++) if (wa[w] !== wb[w]) same = false;
    if (same) this.cells.delete(c);
    else this.cells.add(c);
  }

  /** Re-examine every cell of [start, end): compared as bytes at once, cell by cell only where they differ. */
  private range(start: number, end: number): void {
    const first = start - ((start - RAM_BASE) % CELL);
    const bytes = (m: PhysicalMemory) => new Uint8Array(m.words.buffer, m.words.byteOffset + (first - RAM_BASE), end - first);
    if (Buffer.compare(bytes(this.a.mem), bytes(this.b.mem)) === 0) {
      if (this.cells.size > 0) for (let c = first; c < end; c += CELL) this.cells.delete(c);
      return;
    }
    for (let c = first; c < end; c += CELL) this.cell(c);
  }

  private ghost(p: number): void {
    if (sameGhost(this.a.ghostObjects.get(p), this.b.ghostObjects.get(p))) this.ghosts.delete(p);
    else this.ghosts.add(p);
  }

  /** Every other field, by value (a field added to the Kernel later is compared too). */
  private fieldsEqual(): boolean {
    for (const [x, y] of this.tables) if (!x.sameWords(y)) return false;
    for (const key of this.scalars) if (!deepEqual(this.a[key], this.b[key])) return false;
    return true;
  }
}
