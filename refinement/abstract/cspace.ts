/**
 * Abstraction of the cap slots and of the capability derivation tree. The
 * concrete tree is seL4's MDB: doubly linked lists of slots in pre-order, where
 * a slot's descendants are the run of following entries it is an MDB parent
 * of. The parent map is rebuilt with a stack walk; the representation
 * invariant checks the links, the null nodes of empty slots, and that every
 * slot's revoke run is exactly its subtree (l4v's valid_mdb and mdb_chunked).
 */
import { PAGE_BITS } from '../../spec/api';
import { TCB_SLOT_COUNT } from '../../spec/model/structures';
import type { Cap, SlotPtr } from '../../spec/model/structures';
import type { Cdt } from '../../spec/model/state';
import { CTE_MDB_W0, CTE_MDB_W1, Cap as CapLayout, CapTag, type CapT, Mdb, capGet, capType, getField } from '../../impl/model/layout';
import { capBadge, sameRegionAs } from '../../impl/model/capability';
import type { Kernel } from '../../impl/model/state';
import { abstractCap } from './cap';
import { type Violation, hex, slotAt, slotCap, word } from './read';

interface Entry {
  readonly slot: SlotPtr;
  readonly cap: CapT;
  readonly next: number;
  readonly prev: number;
  readonly revocable: boolean;
  readonly firstBadged: boolean;
}

const PAGE = 2 ** PAGE_BITS;

/** A run of slots inside one page: a piece of a CNode, or a TCB's slot area. */
interface Unit {
  readonly start: number;
  readonly end: number;
}

/** The slot units of every CNode and TCB the ghost table knows, in address order. */
const slotUnits = (k: Kernel): Unit[] => {
  const out: Unit[] = [];
  const objs = [...k.ghostObjects.entries()].sort((a, b) => a[0] - b[0]);
  for (const [p, g] of objs) {
    if (g.type === 'CNode') {
      const end = p + 2 ** g.sizeBits;
      for (let page = p; page < end; page += PAGE) out.push({ start: page, end: Math.min(end, page + PAGE) });
    } else if (g.type === 'TCB') out.push({ start: p, end: slotAt(p, TCB_SLOT_COUNT) });
  }
  return out;
};

interface UnitScan {
  readonly occupied: ReadonlyArray<{ readonly slot: SlotPtr; readonly cap: CapT }>;
  readonly violations: readonly Violation[];
}

const scanUnit = (k: Kernel, u: Unit): UnitScan => {
  const occupied: Array<{ slot: SlotPtr; cap: CapT }> = [];
  const violations: Violation[] = [];
  if (!k.mem.pageMayBeDirty(u.start)) return { occupied, violations };
  for (let slot = u.start; slot < u.end; slot += 16) {
    const c = slotCap(k, slot);
    if (c.w0 === 0 && c.w1 === 0) {
      if (word(k, slot + 8) !== 0 || word(k, slot + 12) !== 0) violations.push({ path: `mdb[${hex(slot)}]`, message: 'an empty slot has a non-null MDB node' });
      continue;
    }
    occupied.push({ slot, cap: c });
  }
  return { occupied, violations };
};

/** Unit scans survive until their page is written (the memory records writes). */
const scanCache = new WeakMap<Kernel, Map<string, UnitScan>>();

const scanAll = (k: Kernel, written: ReadonlySet<number>): UnitScan[] => {
  let cache = scanCache.get(k);
  if (cache === undefined) {
    cache = new Map();
    scanCache.set(k, cache);
  }
  const out: UnitScan[] = [];
  const live = new Set<string>();
  for (const u of slotUnits(k)) {
    const key = `${u.start}:${u.end}`;
    live.add(key);
    let scan = written.has(k.mem.pageOf(u.start)) ? undefined : cache.get(key);
    if (scan === undefined) {
      scan = scanUnit(k, u);
      cache.set(key, scan);
    }
    out.push(scan);
  }
  for (const key of cache.keys()) if (!live.has(key)) cache.delete(key);
  return out;
};

const readEntry = (k: Kernel, slot: SlotPtr, cap: CapT): Entry => {
  const w0 = word(k, slot + 4 * CTE_MDB_W0);
  const w1 = word(k, slot + 4 * CTE_MDB_W1);
  return {
    slot,
    cap,
    next: getField(w0, Mdb.next),
    prev: getField(w1, Mdb.prev),
    revocable: getField(w0, Mdb.revocable) === 1,
    firstBadged: getField(w0, Mdb.firstBadged) === 1,
  };
};

/** `isMDBParentOf` on uncounted reads. */
const mdbParent = (a: Entry, b: Entry): boolean => {
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
const replyMdb = (entries: ReadonlyMap<SlotPtr, Entry>, parent: ReadonlyMap<SlotPtr, SlotPtr>, children: ReadonlyMap<SlotPtr, SlotPtr[]>, v: Violation[]): void => {
  for (const e of entries.values()) {
    const t = replyTcb(e.cap);
    if (t === undefined) continue;
    const path = `mdb[${hex(e.slot)}]`;
    const up = parent.get(e.slot);
    if (isMaster(e.cap)) {
      if (!e.revocable || !e.firstBadged) v.push({ path, message: `the master reply cap to ${hex(t)} is not revocable and first-badged` });
      if (up !== undefined) v.push({ path, message: `the master reply cap to ${hex(t)} has an MDB parent (${hex(up)})` });
      const below = [...(children.get(e.slot) ?? [])];
      const seen = new Set<SlotPtr>([e.slot]);
      for (let d = below.pop(); d !== undefined; d = below.pop()) {
        if (seen.has(d)) continue;
        seen.add(d);
        const dc = entries.get(d)?.cap;
        if (dc === undefined || replyTcb(dc) !== t || isMaster(dc))
          v.push({ path, message: `the master reply cap to ${hex(t)} has ${hex(d)} below it, which is not a reply cap to that thread` });
        below.push(...(children.get(d) ?? []));
      }
    } else {
      const pc = up === undefined ? undefined : entries.get(up)?.cap;
      if (pc === undefined || replyTcb(pc) !== t || !isMaster(pc))
        v.push({
          path,
          message: `a reply cap to ${hex(t)} whose MDB parent ${up === undefined ? '(none)' : hex(up)} is not that thread's master reply cap`,
        });
    }
  }
};

export interface CSpaceAbstraction {
  readonly caps: Map<SlotPtr, Cap>;
  readonly cdt: Cdt;
}

export const abstractCSpace = (k: Kernel, v: Violation[], written: ReadonlySet<number>): CSpaceAbstraction => {
  const caps = new Map<SlotPtr, Cap>();
  const entries = new Map<SlotPtr, Entry>();
  for (const scan of scanAll(k, written)) {
    v.push(...scan.violations);
    for (const { slot, cap } of scan.occupied) {
      caps.set(slot, abstractCap(cap));
      entries.set(slot, readEntry(k, slot, cap));
    }
  }

  // The links must be symmetric and stay among non-empty slots.
  for (const e of entries.values()) {
    if (e.next !== 0) {
      const n = entries.get(e.next);
      if (n === undefined) v.push({ path: `mdb[${hex(e.slot)}].next`, message: `points at ${hex(e.next)}, which is empty or not a slot` });
      else if (n.prev !== e.slot) v.push({ path: `mdb[${hex(e.next)}].prev`, message: `is ${hex(n.prev)}, but ${hex(e.slot)}.next points here` });
    }
    if (e.prev !== 0) {
      const p = entries.get(e.prev);
      if (p === undefined) v.push({ path: `mdb[${hex(e.slot)}].prev`, message: `points at ${hex(e.prev)}, which is empty or not a slot` });
      else if (p.next !== e.slot) v.push({ path: `mdb[${hex(e.prev)}].next`, message: `is ${hex(p.next)}, but ${hex(e.slot)}.prev points here` });
    }
  }

  const parent = new Map<SlotPtr, SlotPtr>();
  const children = new Map<SlotPtr, SlotPtr[]>();
  const original = new Set<SlotPtr>();
  let visited = 0;
  let unterminated = false;
  for (const head of entries.values()) {
    if (head.prev !== 0) continue;
    const list: Entry[] = [];
    for (let e: Entry | undefined = head; e !== undefined; e = e.next === 0 ? undefined : entries.get(e.next)) {
      if (list.length > entries.size) {
        v.push({ path: `mdb[${hex(head.slot)}]`, message: 'the MDB list does not terminate' });
        unterminated = true;
        break;
      }
      list.push(e);
    }
    visited += list.length;
    // Stack walk: an entry's parent is the nearest enclosing entry that is its MDB parent.
    const stack: Entry[] = [];
    const subtreeEnd = new Map<SlotPtr, number>();
    list.forEach((e, i) => {
      while (stack.length > 0 && !mdbParent(stack[stack.length - 1] as Entry, e)) {
        subtreeEnd.set((stack.pop() as Entry).slot, i);
      }
      const top = stack[stack.length - 1];
      if (top !== undefined) {
        parent.set(e.slot, top.slot);
        const cs = children.get(top.slot);
        if (cs === undefined) children.set(top.slot, [e.slot]);
        else cs.push(e.slot);
      }
      if (e.revocable) original.add(e.slot);
      stack.push(e);
    });
    for (const e of stack) subtreeEnd.set(e.slot, list.length);
    // Revoke deletes the run of entries an entry is an MDB parent of: it must be exactly its subtree.
    list.forEach((e, i) => {
      let run = i + 1;
      while (run < list.length && mdbParent(e, list[run] as Entry)) run++;
      const end = subtreeEnd.get(e.slot) ?? i + 1;
      if (run !== end)
        v.push({
          path: `mdb[${hex(e.slot)}]`,
          message: `its revoke run covers ${run - i - 1} entries but its subtree has ${end - i - 1}`,
        });
    });
  }
  const cyclic = unterminated || visited !== entries.size;
  if (visited !== entries.size) v.push({ path: 'mdb', message: `${entries.size - visited} non-empty slots are on no list from a head (a cycle)` });
  // On a list that does not end the tree is not one: reply_mdb has nothing sound to walk.
  if (!cyclic) replyMdb(entries, parent, children, v);
  return { caps, cdt: { parent, children, original } };
};
