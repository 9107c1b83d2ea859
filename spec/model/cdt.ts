/**
 * Operations on the capability derivation tree: a parent map plus each node's
 * children in MDB-list order, as l4v's deterministic extension keeps them
 * (cdt and cdt_list). The order matters: revoke deletes the first child first.
 *
 * seL4: abstract spec CSpace_A.thy (cap_insert, cap_move, cap_swap, empty_slot)
 * and Deterministic_A.thy (cap_insert_ext, cap_move_ext, cap_swap_ext,
 * empty_slot_ext, create_cap_ext).
 */
import { arrayReplace, mapDelete, mapSet, setAdd, setDelete } from './immutable';
import { PMap, PSet } from './persistent';
import type { Transition } from './heap';
import type { Cdt, KernelState } from './state';
import type { SlotPtr } from './structures';

export const emptyCdt: Cdt = { parent: PMap.empty(), children: PMap.empty(), original: PSet.empty() };

export const cdtParent = (s: KernelState, slot: SlotPtr): SlotPtr | null => s.cdt.parent.get(slot) ?? null;
export const cdtChildren = (s: KernelState, slot: SlotPtr): readonly SlotPtr[] => s.cdt.children.get(slot) ?? [];
export const isOriginalCap = (s: KernelState, slot: SlotPtr): boolean => s.cdt.original.has(slot);

/** All descendants of `slot`, in MDB-list (pre-order) order. */
export const cdtDescendants = (s: KernelState, slot: SlotPtr): SlotPtr[] => {
  const out: SlotPtr[] = [];
  const walk = (p: SlotPtr): void => {
    for (const c of cdtChildren(s, p)) {
      out.push(c);
      walk(c);
    }
  };
  walk(slot);
  return out;
};

const withCdt =
  (f: (c: Cdt) => Cdt): Transition =>
  (s) => ({ ...s, cdt: f(s.cdt) });

const setChildren = (m: PMap<SlotPtr, readonly SlotPtr[]>, p: SlotPtr, cs: readonly SlotPtr[]) => (cs.length === 0 ? mapDelete(m, p) : mapSet(m, p, cs));

const setOriginal = (o: PSet<SlotPtr>, slot: SlotPtr, isOriginal: boolean) => (isOriginal ? setAdd(o, slot) : setDelete(o, slot));

/** `set_original`: whether the cap in `slot` is an original (seL4's mdbRevocable). */
export const cdtSetOriginal = (slot: SlotPtr, isOriginal: boolean): Transition => withCdt((c) => ({ ...c, original: setOriginal(c.original, slot, isOriginal) }));

/**
 * The CDT half of `cap_insert`: `dest` becomes a child of `src` when
 * `srcIsParent`, placed first among src's children; otherwise a sibling of src
 * placed right after it (the C kernel links dest right after src in the list).
 */
export const cdtInsert = (src: SlotPtr, dest: SlotPtr, srcIsParent: boolean, destIsOriginal: boolean): Transition =>
  withCdt((c) => {
    let children = c.children;
    let parent = c.parent;
    if (srcIsParent) {
      parent = mapSet(parent, dest, src);
      children = setChildren(children, src, [dest, ...(children.get(src) ?? [])]);
    } else {
      const p = parent.get(src);
      if (p !== undefined) {
        parent = mapSet(parent, dest, p);
        const siblings = children.get(p) ?? [];
        const i = siblings.indexOf(src);
        children = setChildren(children, p, [...siblings.slice(0, i + 1), dest, ...siblings.slice(i + 1)]);
      } else {
        parent = mapDelete(parent, dest);
      }
    }
    return { parent, children, original: setOriginal(c.original, dest, destIsOriginal) };
  });

/** `create_cap`: a fresh object's cap is an original child of its untyped, placed first. */
export const cdtCreate = (untyped: SlotPtr, dest: SlotPtr): Transition => cdtInsert(untyped, dest, true, true);

/** `cap_move`: dest takes src's place in the tree (parent, position, children, originality). */
export const cdtMove = (src: SlotPtr, dest: SlotPtr): Transition =>
  withCdt((c) => {
    if (src === dest) return c;
    let parent = c.parent;
    let children = c.children;
    const p = parent.get(src);
    if (p !== undefined) {
      parent = mapSet(mapDelete(parent, src), dest, p);
      children = setChildren(children, p, arrayReplace(children.get(p) ?? [], src, dest));
    } else {
      parent = mapDelete(parent, dest);
    }
    const own = children.get(src) ?? [];
    parent = own.reduce((m, ch) => mapSet(m, ch, dest), parent);
    children = setChildren(mapDelete(children, src), dest, own);
    const original = setOriginal(setDelete(c.original, src), dest, c.original.has(src));
    return { parent, children, original };
  });

/**
 * `cap_swap`: the two slots exchange their places in the tree. Only the
 * entries that name a or b change: their own parent and children entries,
 * their children's parent entries and their parents' children lists.
 */
export const cdtSwap = (a: SlotPtr, b: SlotPtr): Transition =>
  withCdt((c) => {
    if (a === b) return c;
    const rename = (x: SlotPtr): SlotPtr => (x === a ? b : x === b ? a : x);
    const renamedParent = (k: SlotPtr): SlotPtr | undefined => {
      const p = c.parent.get(rename(k));
      return p === undefined ? undefined : rename(p);
    };
    // Both key sets are closed under the renaming, so each entry can be read from the old tree.
    const parentKeys = new Set([a, b, ...cdtChildrenOf(c, a), ...cdtChildrenOf(c, b)]);
    const childrenKeys = new Set([a, b, ...[c.parent.get(a), c.parent.get(b)].filter((p): p is SlotPtr => p !== undefined)]);
    let parent = c.parent;
    for (const k of parentKeys) {
      const p = renamedParent(k);
      parent = p === undefined ? mapDelete(parent, k) : mapSet(parent, k, p);
    }
    let children = c.children;
    for (const k of childrenKeys) children = setChildren(children, k, cdtChildrenOf(c, rename(k)).map(rename));
    const original = setOriginal(setOriginal(c.original, a, c.original.has(b)), b, c.original.has(a));
    return { parent, children, original };
  });

const cdtChildrenOf = (c: Cdt, slot: SlotPtr): readonly SlotPtr[] => c.children.get(slot) ?? [];

/**
 * The CDT half of `empty_slot`: the slot leaves the tree and its children take
 * its place, in order, under its parent (or become roots).
 */
export const cdtRemove = (slot: SlotPtr): Transition =>
  withCdt((c) => {
    const p = c.parent.get(slot);
    const own = c.children.get(slot) ?? [];
    const parent = own.reduce((m, ch) => (p === undefined ? mapDelete(m, ch) : mapSet(m, ch, p)), mapDelete(c.parent, slot));
    let children = mapDelete(c.children, slot);
    if (p !== undefined) {
      const siblings = children.get(p) ?? [];
      const i = siblings.indexOf(slot);
      children = setChildren(children, p, [...siblings.slice(0, i), ...own, ...siblings.slice(i + 1)]);
    }
    return { parent, children, original: setDelete(c.original, slot) };
  });
