/**
 * The generator's short memory: the slots and untypeds the last few events
 * used. Picking from it half of the time chains operations on the same
 * objects (mint a badge, copy the badged cap, delete the original, mint
 * again...), which is how the deep CDT and untyped paths get reached.
 */
import type { SlotPtr } from '../../spec/model/structures';

export class Focus {
  private readonly recent: SlotPtr[] = [];

  remember(...slots: ReadonlyArray<SlotPtr | undefined>): void {
    for (const s of slots) {
      if (s === undefined) continue;
      const i = this.recent.indexOf(s);
      if (i >= 0) this.recent.splice(i, 1);
      this.recent.unshift(s);
    }
    if (this.recent.length > 8) this.recent.length = 8;
  }

  /** Prefer a recently used item of `xs` when `n` says so (about half the time). */
  pick<A extends { readonly slot: SlotPtr }>(xs: readonly A[], n: number): A | undefined {
    if (xs.length === 0) return undefined;
    if (n % 2 === 0) {
      const recent = this.recent.map((s) => xs.find((x) => x.slot === s)).filter((x): x is A => x !== undefined);
      if (recent.length > 0) return recent[(n >>> 1) % recent.length];
    }
    return xs[(n >>> 1) % xs.length];
  }
}
