/**
 * Which object holds an address: the checker's copy of a kernel's ghost table,
 * with the bases kept sorted so that the objects a write touched are found by
 * binary search. It is kept up to date from the ghost table's change log.
 */
import type { GhostObject, Kernel } from '../../impl/model/state';

export class ObjectIndex {
  private readonly bases: number[] = [];
  readonly ghosts = new Map<number, GhostObject>();

  constructor(k: Kernel) {
    for (const [p, g] of k.ghostObjects) this.ghosts.set(p, g);
    this.bases.push(...[...this.ghosts.keys()].sort((a, b) => a - b));
  }

  /** Take the kernel's ghost changes; returns, for each address changed, what was there before (undefined: nothing). */
  update(k: Kernel, changed: readonly number[]): Map<number, GhostObject | undefined> {
    const before = new Map<number, GhostObject | undefined>();
    for (const p of changed) {
      if (!before.has(p)) before.set(p, this.ghosts.get(p));
      const g = k.ghostObjects.get(p);
      const i = this.lowerBound(p);
      const present = this.bases[i] === p;
      if (g === undefined) {
        this.ghosts.delete(p);
        if (present) this.bases.splice(i, 1);
      } else {
        this.ghosts.set(p, g);
        if (!present) this.bases.splice(i, 0, p);
      }
    }
    return before;
  }

  private lowerBound(p: number): number {
    let lo = 0;
    let hi = this.bases.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.bases[mid] as number) < p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Each object overlapping [start, end), in address order. */
  forEachIn(start: number, end: number, f: (p: number, g: GhostObject) => void): void {
    // Objects are naturally aligned and do not overlap, but one may start before `start`: step back to it.
    let i = this.lowerBound(start);
    if (i > 0) {
      const p = this.bases[i - 1] as number;
      const g = this.ghosts.get(p) as GhostObject;
      if (p + 2 ** g.sizeBits > start) i--;
    }
    for (; i < this.bases.length; i++) {
      const p = this.bases[i] as number;
      if (p >= end) break;
      const g = this.ghosts.get(p) as GhostObject;
      if (p + 2 ** g.sizeBits > start) f(p, g);
    }
  }
}
