/**
 * The capability derivation tree is a tree over non-empty slots: the parent
 * map has no cycles, children lists and the parent map agree, a parent's cap
 * covers its children's (same region), and untyped children lie inside their
 * parent below its free index. seL4: l4v's valid_mdb (no_mloop, mdb_cte_at,
 * descendants_range), untyped_range / valid_untyped (Untyped_AI).
 */
import type { KernelState } from '../../spec/model/state';
import type { SlotPtr } from '../../spec/model/structures';
import { capObjectBase, capObjectSizeBits, isPhysicalCap, sameRegionAs } from '../../spec/model/capability';
import { cdtDescendants } from '../../spec/model/cdt';
import { getCap } from '../../spec/model/heap';
import { type Violation, hex } from '../violation';

/** `cdtAcyclic`: following parents from any slot never comes back to it. */
export const cdtAcyclic = (s: KernelState): Violation[] => {
  const v: Violation[] = [];
  for (const start of s.cdt.parent.keys()) {
    const seen = new Set<SlotPtr>([start]);
    for (let p = s.cdt.parent.get(start); p !== undefined; p = s.cdt.parent.get(p)) {
      if (seen.has(p)) {
        v.push({ path: `cdt.parent[${hex(start)}]`, message: `the parent chain loops back to ${hex(p)}` });
        break;
      }
      seen.add(p);
    }
  }
  return v;
};

/** `cdtConsistent`: children lists mirror the parent map, and only non-empty slots take part. */
export const cdtConsistent = (s: KernelState): Violation[] => {
  const v: Violation[] = [];
  // How often each parent's list names each child, counted in one pass over each list.
  const times = new Map<number, Map<number, number>>();
  for (const [parent, children] of s.cdt.children) {
    const counts = new Map<number, number>();
    for (const c of children) counts.set(c, (counts.get(c) ?? 0) + 1);
    times.set(parent, counts);
  }
  for (const [child, parent] of s.cdt.parent) {
    if (times.get(parent)?.get(child) !== 1) v.push({ path: `cdt.children[${hex(parent)}]`, message: `should list ${hex(child)} exactly once (its parent is ${hex(parent)})` });
    if (getCap(s, child)._tag === 'NullCap') v.push({ path: `cdt.parent[${hex(child)}]`, message: 'an empty slot has a parent' });
    if (getCap(s, parent)._tag === 'NullCap') v.push({ path: `cdt.parent[${hex(child)}]`, message: `its parent ${hex(parent)} is empty` });
  }
  for (const [parent, children] of s.cdt.children) {
    if (children.length === 0) v.push({ path: `cdt.children[${hex(parent)}]`, message: 'an empty children list is kept' });
    for (const c of children) {
      const actual = s.cdt.parent.get(c);
      if (actual !== parent)
        v.push({
          path: `cdt.children[${hex(parent)}]`,
          message: `lists ${hex(c)}, whose parent is ${actual === undefined ? 'none' : hex(actual)}`,
        });
    }
  }
  for (const slot of s.cdt.original) if (getCap(s, slot)._tag === 'NullCap') v.push({ path: `cdt.original`, message: `names the empty slot ${hex(slot)}` });
  return v;
};

/** `parentsCoverChildren`: a parent's cap covers the region of each child's cap. */
export const parentsCoverChildren = (s: KernelState): Violation[] => {
  const v: Violation[] = [];
  for (const [child, parent] of s.cdt.parent) {
    const pc = getCap(s, parent);
    const cc = getCap(s, child);
    if (pc._tag === 'NullCap' || cc._tag === 'NullCap') continue;
    if (!sameRegionAs(pc, cc)) v.push({ path: `cdt.parent[${hex(child)}]`, message: `its ${pc._tag} parent does not cover this ${cc._tag}` });
  }
  return v;
};

/** `untypedChildrenInside`: every descendant of an untyped lies inside it, below its free index. */
export const untypedChildrenInside = (s: KernelState): Violation[] => {
  const v: Violation[] = [];
  for (const [slot, c] of s.caps) {
    if (c._tag !== 'UntypedCap') continue;
    const limit = c.ptr + c.freeIndex;
    for (const d of cdtDescendants(s, slot)) {
      const dc = getCap(s, d);
      if (!isPhysicalCap(dc)) continue;
      const base = capObjectBase(dc);
      const top = base + 2 ** capObjectSizeBits(dc);
      if (base < c.ptr || top > limit)
        v.push({
          path: `caps[${hex(d)}]`,
          message: `a descendant of the untyped at ${hex(slot)} lies at [${hex(base)}, ${hex(top)}), outside [${hex(c.ptr)}, ${hex(limit)})`,
        });
    }
  }
  return v;
};
