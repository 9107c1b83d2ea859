/**
 * Abstraction of the cap slots and of the capability derivation tree. The
 * concrete tree is seL4's MDB: doubly linked lists of slots in pre-order, where
 * a slot's descendants are the run of following entries it is an MDB parent
 * of. Each list is abstracted on its own (`abstractList`): the parent map is
 * rebuilt with a stack walk, and the representation invariant checks the
 * links, the null nodes of empty slots, and that every slot's revoke run is
 * exactly its subtree (l4v's valid_mdb and mdb_chunked). The whole CSpace is
 * every list from every head; the incremental image re-abstracts only the
 * lists a step wrote to.
 */
import { PAGE_BITS } from '../../spec/api';
import { TCB_SLOT_COUNT } from '../../spec/model/structures';
import type { Cap, SlotPtr } from '../../spec/model/structures';
import type { Cdt } from '../../spec/model/state';
import { PMap, PSet } from '../../spec/model/persistent';
import { CTE_MDB_W0, CTE_MDB_W1, Cap as CapLayout, CapTag, type CapT, Mdb, capGet, capType, getField } from '../../impl/model/layout';
import { capBadge, sameRegionAs } from '../../impl/model/capability';
import type { Kernel } from '../../impl/model/state';
import { abstractCap } from './cap';
import { type Violation, hex, slotAt, slotCap, word } from './read';

/** One occupied slot as the MDB sees it. */
export interface Entry {
  readonly slot: SlotPtr;
  readonly cap: CapT;
  readonly next: number;
  readonly prev: number;
  readonly revocable: boolean;
  readonly firstBadged: boolean;
}

const PAGE = 2 ** PAGE_BITS;

/** The slot area of an object, or null if it has none: a CNode's slots, or a TCB's. */
export const slotArea = (p: number, type: string, sizeBits: number): { readonly start: number; readonly end: number } | null =>
  type === 'CNode' ? { start: p, end: p + 2 ** sizeBits } : type === 'TCB' ? { start: p, end: slotAt(p, TCB_SLOT_COUNT) } : null;

/**
 * The slot's entry (null when the slot is empty), and the violation of an
 * empty slot whose MDB node is not null.
 */
export const readSlot = (k: Kernel, slot: SlotPtr, v: Violation[]): Entry | null => {
  const cap = slotCap(k, slot);
  const w0 = word(k, slot + 4 * CTE_MDB_W0);
  const w1 = word(k, slot + 4 * CTE_MDB_W1);
  if (cap.w0 === 0 && cap.w1 === 0) {
    if (w0 !== 0 || w1 !== 0) v.push({ path: `mdb[${hex(slot)}]`, message: 'an empty slot has a non-null MDB node' });
    return null;
  }
  return {
    slot,
    cap,
    next: getField(w0, Mdb.next),
    prev: getField(w1, Mdb.prev),
    revocable: getField(w0, Mdb.revocable) === 1,
    firstBadged: getField(w0, Mdb.firstBadged) === 1,
  };
};

/** Every occupied slot of an area, skipping pages that are all zero. */
export const readArea = (k: Kernel, start: number, end: number, v: Violation[], f: (e: Entry) => void): void => {
  for (let page = start; page < end; page = Math.min(end, (Math.floor(page / PAGE) + 1) * PAGE)) {
    if (!k.mem.pageMayBeDirty(page)) continue;
    const stop = Math.min(end, (Math.floor(page / PAGE) + 1) * PAGE);
    for (let slot = page; slot < stop; slot += 16) {
      const e = readSlot(k, slot, v);
      if (e !== null) f(e);
    }
  }
};

/** `isMDBParentOf` on uncounted reads. */
export const mdbParent = (a: Entry, b: Entry): boolean => {
  if (!a.revocable) return false;
  const ca = a.cap;
  const cb = b.cap;
  if (!sameRegionAs(ca, cb)) return false;
  const ta = capType(ca);
  if (ta === CapTag.SGISignal && capType(cb) === CapTag.SGISignal && b.firstBadged) return false;
  if ((ta === CapTag.Endpoint || ta === CapTag.Notification) && capBadge(ca) !== 0) return capBadge(cb) === capBadge(ca) && !b.firstBadged;
  return true;
};

const replyTcb = (c: CapT): number | undefined => (capType(c) === CapTag.Reply ? capGet(c, CapLayout.Reply.tcb) : undefined);
const isMaster = (c: CapT): boolean => capGet(c, CapLayout.Reply.master) === 1;

/**
 * l4v's `reply_mdb` on the concrete tree, and Haskell's `reply_masters_rvk_fb`:
 * a master reply cap is revocable and first-badged and has no MDB parent, and
 * every entry below it is a non-master reply cap to the same thread; a
 * non-master reply cap sits right below the master reply cap of its thread.
 */
const replyMdb = (
  list: readonly Entry[],
  entryAt: (slot: SlotPtr) => Entry | undefined,
  parent: ReadonlyMap<SlotPtr, SlotPtr>,
  children: ReadonlyMap<SlotPtr, readonly SlotPtr[]>,
  v: Violation[],
): void => {
  for (const e of list) {
    const t = replyTcb(e.cap);
    if (t === undefined) continue;
    const path = (): string => `mdb[${hex(e.slot)}]`;
    const up = parent.get(e.slot);
    if (isMaster(e.cap)) {
      if (!e.revocable || !e.firstBadged) v.push({ path: path(), message: `the master reply cap to ${hex(t)} is not revocable and first-badged` });
      if (up !== undefined) v.push({ path: path(), message: `the master reply cap to ${hex(t)} has an MDB parent (${hex(up)})` });
      const below = [...(children.get(e.slot) ?? [])];
      const seen = new Set<SlotPtr>([e.slot]);
      for (let d = below.pop(); d !== undefined; d = below.pop()) {
        if (seen.has(d)) continue;
        seen.add(d);
        const dc = entryAt(d)?.cap;
        if (dc === undefined || replyTcb(dc) !== t || isMaster(dc))
          v.push({ path: path(), message: `the master reply cap to ${hex(t)} has ${hex(d)} below it, which is not a reply cap to that thread` });
        below.push(...(children.get(d) ?? []));
      }
    } else {
      const pc = up === undefined ? undefined : entryAt(up)?.cap;
      if (pc === undefined || replyTcb(pc) !== t || !isMaster(pc))
        v.push({
          path: path(),
          message: `a reply cap to ${hex(t)} whose MDB parent ${up === undefined ? '(none)' : hex(up)} is not that thread's master reply cap`,
        });
    }
  }
};

/** What one MDB list abstracts to: its slots, their caps, and their part of the CDT. */
export interface ListAbstraction {
  /** The entries reached, in list order (on a broken list, those the walk got to). */
  readonly slots: readonly SlotPtr[];
  readonly parent: ReadonlyMap<SlotPtr, SlotPtr>;
  readonly children: ReadonlyMap<SlotPtr, readonly SlotPtr[]>;
  readonly original: readonly SlotPtr[];
  /** The list's head was found (false: the walk back from the entry found a cycle or a broken link). */
  readonly headed: boolean;
}

/**
 * Abstract the MDB list holding `member`: walk back to its head, then along
 * the list, checking each link both ways, and rebuild the parent map with a
 * stack walk. `entryAt` gives the occupied slots (undefined for anything else).
 */
export const abstractList = (entryAt: (slot: SlotPtr) => Entry | undefined, member: Entry, limit: number, v: Violation[]): ListAbstraction => {
  let head = member;
  const back = new Set<SlotPtr>([member.slot]);
  while (head.prev !== 0) {
    const p = entryAt(head.prev);
    if (p === undefined || p.next !== head.slot || back.has(p.slot) || back.size > limit) {
      if (p === undefined) v.push({ path: `mdb[${hex(head.slot)}].prev`, message: `points at ${hex(head.prev)}, which is empty or not a slot` });
      else if (p.next !== head.slot) v.push({ path: `mdb[${hex(head.prev)}].next`, message: `is ${hex(p.next)}, but ${hex(head.slot)}.prev points here` });
      else v.push({ path: `mdb[${hex(member.slot)}]`, message: 'non-empty slots are on no list from a head (a cycle)' });
      return { slots: [...back], parent: new Map(), children: new Map(), original: [], headed: false };
    }
    back.add(p.slot);
    head = p;
  }
  const list: Entry[] = [];
  const seen = new Set<SlotPtr>();
  for (let e: Entry | undefined = head; e !== undefined;) {
    if (seen.has(e.slot) || list.length > limit) {
      v.push({ path: `mdb[${hex(head.slot)}]`, message: 'the MDB list does not terminate' });
      break;
    }
    seen.add(e.slot);
    list.push(e);
    if (e.next === 0) break;
    const n = entryAt(e.next);
    if (n === undefined) v.push({ path: `mdb[${hex(e.slot)}].next`, message: `points at ${hex(e.next)}, which is empty or not a slot` });
    else if (n.prev !== e.slot) v.push({ path: `mdb[${hex(e.next)}].prev`, message: `is ${hex(n.prev)}, but ${hex(e.slot)}.next points here` });
    e = n !== undefined && n.prev === e.slot ? n : undefined;
  }
  const parent = new Map<SlotPtr, SlotPtr>();
  const children = new Map<SlotPtr, SlotPtr[]>();
  const original: SlotPtr[] = [];
  // Stack walk: an entry's parent is the nearest enclosing entry that is its MDB parent.
  const stack: Entry[] = [];
  const subtreeEnd = new Map<SlotPtr, number>();
  list.forEach((e, i) => {
    while (stack.length > 0 && !mdbParent(stack[stack.length - 1] as Entry, e)) subtreeEnd.set((stack.pop() as Entry).slot, i);
    const top = stack[stack.length - 1];
    if (top !== undefined) {
      parent.set(e.slot, top.slot);
      const cs = children.get(top.slot);
      if (cs === undefined) children.set(top.slot, [e.slot]);
      else cs.push(e.slot);
    }
    if (e.revocable) original.push(e.slot);
    stack.push(e);
  });
  for (const e of stack) subtreeEnd.set(e.slot, list.length);
  // Revoke deletes the run of entries an entry is an MDB parent of: it must be exactly its subtree.
  list.forEach((e, i) => {
    let run = i + 1;
    while (run < list.length && mdbParent(e, list[run] as Entry)) run++;
    const end = subtreeEnd.get(e.slot) ?? i + 1;
    if (run !== end) v.push({ path: `mdb[${hex(e.slot)}]`, message: `its revoke run covers ${run - i - 1} entries but its subtree has ${end - i - 1}` });
  });
  replyMdb(list, entryAt, parent, children, v);
  return { slots: list.map((e) => e.slot), parent, children, original, headed: true };
};

export interface CSpaceAbstraction {
  readonly caps: PMap<SlotPtr, Cap>;
  readonly cdt: Cdt;
}

/** The whole CSpace from scratch: every occupied slot of every live CNode and TCB, every list from every head. */
export const abstractCSpace = (k: Kernel, v: Violation[]): CSpaceAbstraction => {
  const entries = new Map<SlotPtr, Entry>();
  const caps: Array<[SlotPtr, Cap]> = [];
  for (const [p, g] of [...k.ghostObjects.entries()].sort((a, b) => a[0] - b[0])) {
    const area = slotArea(p, g.type, g.sizeBits);
    if (area === null) continue;
    readArea(k, area.start, area.end, v, (e) => {
      entries.set(e.slot, e);
      caps.push([e.slot, abstractCap(e.cap)]);
    });
  }
  const parent: Array<[SlotPtr, SlotPtr]> = [];
  const children: Array<[SlotPtr, readonly SlotPtr[]]> = [];
  const original: SlotPtr[] = [];
  const reached = new Set<SlotPtr>();
  const entryAt = (slot: SlotPtr) => entries.get(slot);
  for (const e of entries.values()) {
    if (reached.has(e.slot)) continue;
    // Each list is walked once, from whichever of its entries comes first.
    const l = abstractList(entryAt, e, entries.size, v);
    for (const s of l.slots) reached.add(s);
    parent.push(...l.parent);
    children.push(...l.children);
    original.push(...l.original);
  }
  return { caps: PMap.of(caps), cdt: { parent: PMap.of(parent), children: PMap.of(children), original: PSet.of(original) } };
};
