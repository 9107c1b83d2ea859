/**
 * The capability derivation tree is a tree over non-empty slots: the parent
 * map has no cycles, children lists and the parent map agree, a parent's cap
 * covers its children's (same region), and untyped children lie inside their
 * parent below its free index. seL4: l4v's valid_mdb (no_mloop, mdb_cte_at,
 * descendants_range), untyped_range / valid_untyped (Untyped_AI).
 */
import type { KernelState } from '../../spec/model/state';
import type { SlotPtr, UntypedCap } from '../../spec/model/structures';
import { capObjectBase, capObjectSizeBits, isPhysicalCap, sameRegionAs } from '../../spec/model/capability';
import { getCap } from '../../spec/model/heap';
import { type Violation, hex } from '../violation';
import { type Subjects, wholeSubjects } from './scope';

/**
 * `cdtAcyclic`: following parents from any slot never comes back to it. A
 * loop a step made runs through a parent link it wrote, so after a step the
 * walks start from the slots whose parent changed.
 */
export const cdtAcyclic = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  for (const [start] of at.parents) {
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

/** How often each parent's children list names each child: counted once for the whole state, or per question. */
const listedTimes = (s: KernelState, at: Subjects): ((parent: SlotPtr, child: SlotPtr) => number) => {
  if (!at.whole) return (parent, child) => (s.cdt.children.get(parent) ?? []).reduce((n, c) => (c === child ? n + 1 : n), 0);
  const times = new Map<number, Map<number, number>>();
  for (const [parent, children] of s.cdt.children) {
    const counts = new Map<number, number>();
    for (const c of children) counts.set(c, (counts.get(c) ?? 0) + 1);
    times.set(parent, counts);
  }
  return (parent, child) => times.get(parent)?.get(child) ?? 0;
};

/** `cdtConsistent`: children lists mirror the parent map, and only non-empty slots take part. */
export const cdtConsistent = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  const times = listedTimes(s, at);
  for (const [child, parent] of at.parents) {
    if (times(parent, child) !== 1) v.push({ path: `cdt.children[${hex(parent)}]`, message: `should list ${hex(child)} exactly once (its parent is ${hex(parent)})` });
    if (getCap(s, child)._tag === 'NullCap') v.push({ path: `cdt.parent[${hex(child)}]`, message: 'an empty slot has a parent' });
    if (getCap(s, parent)._tag === 'NullCap') v.push({ path: `cdt.parent[${hex(child)}]`, message: `its parent ${hex(parent)} is empty` });
  }
  for (const [parent, children] of at.childLists) {
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
  for (const slot of at.originals) if (getCap(s, slot)._tag === 'NullCap') v.push({ path: `cdt.original`, message: `names the empty slot ${hex(slot)}` });
  return v;
};

/** `parentsCoverChildren`: a parent's cap covers the region of each child's cap. */
export const parentsCoverChildren = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  for (const [child, parent] of at.parents) {
    const pc = getCap(s, parent);
    const cc = getCap(s, child);
    if (pc._tag === 'NullCap' || cc._tag === 'NullCap') continue;
    if (!sameRegionAs(pc, cc)) v.push({ path: `cdt.parent[${hex(child)}]`, message: `its ${pc._tag} parent does not cover this ${cc._tag}` });
  }
  return v;
};

/** The violation if the cap in slot `d`, a descendant of the untyped `u` in `slot`, lies outside it or above its free index. */
const outsideUntyped = (s: KernelState, slot: SlotPtr, u: UntypedCap, d: SlotPtr): Violation | undefined => {
  const dc = getCap(s, d);
  if (!isPhysicalCap(dc)) return undefined;
  const limit = u.ptr + u.freeIndex;
  const base = capObjectBase(dc);
  const top = base + 2 ** capObjectSizeBits(dc);
  if (base >= u.ptr && top <= limit) return undefined;
  return {
    path: `caps[${hex(d)}]`,
    message: `a descendant of the untyped at ${hex(slot)} lies at [${hex(base)}, ${hex(top)}), outside [${hex(u.ptr)}, ${hex(limit)})`,
  };
};

/** A slot and its descendants, each once even where the children lists loop (a broken state). */
const subtree = (s: KernelState, top: SlotPtr): SlotPtr[] => {
  const out = [top];
  const seen = new Set(out);
  for (let i = 0; i < out.length; i++)
    for (const c of s.cdt.children.get(out[i] as SlotPtr) ?? [])
      if (!seen.has(c)) {
        seen.add(c);
        out.push(c);
      }
  return out;
};

/**
 * `untypedChildrenInside`: every descendant of an untyped lies inside it,
 * below its free index. After a step: every descendant of an untyped whose
 * range or free index the step may have narrowed (`untypeds`), and each
 * slot whose cap or place in the tree changed, with its subtree, against all
 * its untyped ancestors (`subtrees`).
 */
export const untypedChildrenInside = (s: KernelState, at: Subjects = wholeSubjects(s)): Violation[] => {
  const v: Violation[] = [];
  const push = (x: Violation | undefined) => {
    if (x !== undefined) v.push(x);
  };
  for (const [slot, c] of at.untypeds) {
    for (const d of subtree(s, slot).slice(1)) push(outsideUntyped(s, slot, c, d));
  }
  for (const top of at.subtrees) {
    for (const d of subtree(s, top)) {
      // Up the parent chain (a loop is cdtAcyclic's to report).
      const seen = new Set<SlotPtr>([d]);
      for (let a = s.cdt.parent.get(d); a !== undefined && !seen.has(a); a = s.cdt.parent.get(a)) {
        seen.add(a);
        const ac = s.caps.get(a);
        if (ac?._tag === 'UntypedCap') push(outsideUntyped(s, a, ac, d));
      }
    }
  }
  return v;
};
