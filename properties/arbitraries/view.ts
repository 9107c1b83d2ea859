/**
 * What the trace generator sees of the current state: the caps a thread can
 * invoke (with the cptr that reaches each), and the slots its CNode caps can
 * address in CNode operations (with the CNode cap's cptr, index and depth).
 * Choices are made by position in these lists, so a generated step keeps
 * meaning the same kind of thing as the state changes and as it shrinks.
 */
import { SLOT_BITS, WORD_BITS, mask } from '../../spec/api';
import * as E from 'fp-ts/Either';
import { lookupCap } from '../../spec/kernel/cspace';
import { isFaultHandlerCap } from '../../spec/kernel/faultHandler';
import { getCap, getObject, getTCB } from '../../spec/model/heap';
import type { KernelState } from '../../spec/model/state';
import { type Cap, type CNodeCap, type PPtr, type SlotPtr, TCB_CTABLE } from '../../spec/model/structures';

/** A cap the thread can name with a full 32-bit lookup. */
export interface Invokable {
  readonly cptr: number;
  readonly slot: SlotPtr;
  readonly cap: Cap;
}

/** A slot a CNode invocation can address: through the CNode cap at `root`, by (index, depth). */
export interface Target {
  readonly root: number;
  readonly index: number;
  readonly depth: number;
  readonly slot: SlotPtr;
  readonly cap: Cap;
}

export interface View {
  readonly thread: PPtr;
  /** The CNode the thread's CSpace root cap names. */
  readonly rootCNode: PPtr | undefined;
  /** A fault would reach a handler (rather than making the thread Inactive). */
  readonly hasFaultHandler: boolean;
  readonly invokable: readonly Invokable[];
  /** Occupied slots addressable by CNode operations. */
  readonly full: readonly Target[];
  /** A handful of empty addressable slots, lowest first. */
  readonly empty: readonly Target[];
}

const radixOf = (s: KernelState, cnode: PPtr): number => {
  const o = getObject(s, cnode);
  return o?._tag === 'CNode' ? o.radix : 0;
};

/**
 * Occupied indices per CNode, for each caps map seen (a view visits some
 * CNodes more than once). A caps map that follows the last one seen (the
 * next state of a trace) gets its lists from that one's and the keys written
 * between them (the persistent map's journal), rather than by a scan.
 */
const occupiedCache = new WeakMap<KernelState['caps'], Map<string, readonly number[]>>();
let lastSeen: { readonly caps: KernelState['caps']; readonly byNode: Map<string, readonly number[]> } | undefined;

const indexIn = (slot: SlotPtr, cnode: PPtr, size: number): number | undefined => {
  const i = (slot - cnode) / 2 ** SLOT_BITS;
  return i >= 0 && i < size && Number.isInteger(i) ? i : undefined;
};

/** `occupied` (sorted) with index `i` present or absent. */
const withIndex = (occupied: readonly number[], i: number, present: boolean): readonly number[] => {
  const at = occupied.indexOf(i);
  if (present === at >= 0) return occupied;
  return present ? [...occupied, i].sort((a, b) => a - b) : occupied.filter((x) => x !== i);
};

const followOn = (caps: KernelState['caps']): Map<string, readonly number[]> => {
  const byNode = new Map<string, readonly number[]>();
  const written = lastSeen === undefined ? null : caps.changedSince(lastSeen.caps);
  if (lastSeen !== undefined && written !== null)
    for (const [key, occupied] of lastSeen.byNode) {
      const [cnode, radix] = key.split('/').map(Number) as [number, number];
      let now = occupied;
      for (const slot of written) {
        const i = indexIn(slot, cnode, 2 ** radix);
        if (i !== undefined) now = withIndex(now, i, caps.has(slot));
      }
      byNode.set(key, now);
    }
  return byNode;
};

export const occupiedIndices = (s: KernelState, cnode: PPtr, radix: number): readonly number[] => {
  let byNode = occupiedCache.get(s.caps);
  if (byNode === undefined) {
    byNode = followOn(s.caps);
    occupiedCache.set(s.caps, byNode);
  }
  lastSeen = { caps: s.caps, byNode };
  const key = `${cnode}/${radix}`;
  const cached = byNode.get(key);
  if (cached !== undefined) return cached;
  const found = scanOccupied(s, cnode, radix);
  byNode.set(key, found);
  return found;
};

export const scanOccupied = (s: KernelState, cnode: PPtr, radix: number): number[] => {
  const out: number[] = [];
  const size = 2 ** radix;
  for (const slot of s.caps.keys()) {
    const i = indexIn(slot, cnode, size);
    if (i !== undefined) out.push(i);
  }
  return out.sort((a, b) => a - b);
};

const EMPTY_PER_CNODE = 6;

/** The lowest few empty indices of a CNode (plus its last slot, a boundary). */
const emptyIndices = (occupied: readonly number[], radix: number): number[] => {
  const taken = new Set(occupied);
  const out: number[] = [];
  for (let i = 0; i < 2 ** radix && out.length < EMPTY_PER_CNODE; i++) if (!taken.has(i)) out.push(i);
  const last = 2 ** radix - 1;
  if (!taken.has(last) && !out.includes(last)) out.push(last);
  return out;
};

/** Walk the thread's CSpace from its root: every occupied slot a depth-32 lookup stops at. */
const invokableCaps = (s: KernelState, thread: PPtr): Invokable[] => {
  const out: Invokable[] = [];
  const seen = new Set<SlotPtr>();
  const walk = (node: CNodeCap, prefix: number, bitsLeft: number, depth: number): void => {
    const level = node.guardSize + node.radix;
    if (level > bitsLeft || level === 0 || depth > 3) return;
    const guardPart = node.guard * 2 ** node.radix;
    for (const i of occupiedIndices(s, node.ptr, radixOf(s, node.ptr))) {
      const slot = node.ptr + i * 2 ** SLOT_BITS;
      const remaining = bitsLeft - level;
      const cptr = (prefix * 2 ** level + guardPart + i) * 2 ** remaining;
      const cap = getCap(s, slot);
      if (remaining > 0 && cap._tag === 'CNodeCap') walk(cap, prefix * 2 ** level + guardPart + i, remaining, depth + 1);
      else if (!seen.has(slot)) {
        seen.add(slot);
        out.push({ cptr: cptr >>> 0, slot, cap });
      }
    }
  };
  const root = getCap(s, thread + TCB_CTABLE * 2 ** SLOT_BITS);
  if (root._tag === 'CNodeCap') walk(root, 0, WORD_BITS, 0);
  return out;
};

/** The slots a CNode cap (invoked at `root`) addresses, one and two levels down. */
const targetsOf = (s: KernelState, rootCptr: number, node: CNodeCap): { full: Target[]; empty: Target[] } => {
  const full: Target[] = [];
  const empty: Target[] = [];
  const visit = (cn: CNodeCap, prefix: number, depthSoFar: number, level: number): void => {
    const depth = depthSoFar + cn.guardSize + cn.radix;
    if (depth > WORD_BITS || cn.guardSize + cn.radix === 0) return;
    const radix = radixOf(s, cn.ptr);
    const base = (prefix * 2 ** cn.guardSize + (cn.guard & mask(cn.guardSize))) * 2 ** cn.radix;
    const occ = occupiedIndices(s, cn.ptr, radix);
    for (const i of occ) {
      const slot = cn.ptr + i * 2 ** SLOT_BITS;
      const cap = getCap(s, slot);
      full.push({ root: rootCptr, index: (base + i) >>> 0, depth, slot, cap });
      if (level === 0 && cap._tag === 'CNodeCap' && cap.ptr !== cn.ptr) visit(cap, base + i, depth, 1);
    }
    for (const i of emptyIndices(occ, radix)) empty.push({ root: rootCptr, index: (base + i) >>> 0, depth, slot: cn.ptr + i * 2 ** SLOT_BITS, cap: { _tag: 'NullCap' } });
  };
  visit(node, 0, 0, 0);
  return { full, empty };
};

/** The last state looked at and its view: plans that produce no event leave the state as it was. */
let lastView: { readonly state: KernelState; readonly view: View } | undefined;

export const viewOf = (s: KernelState): View => {
  if (lastView?.state === s) return lastView.view;
  const view = computeView(s);
  lastView = { state: s, view };
  return view;
};

/**
 * A state's view, each part worked out when a plan first asks for it (most
 * plans need the invokable caps only; the addressable slots are for CNode
 * operations).
 */
class LazyView implements View {
  readonly thread: PPtr;
  private invokableCaps: readonly Invokable[] | undefined;
  private slots: { readonly full: readonly Target[]; readonly empty: readonly Target[] } | undefined;
  private faultHandler: boolean | undefined;

  constructor(private readonly s: KernelState) {
    this.thread = s.curThread;
  }

  get rootCNode(): PPtr | undefined {
    const root = getCap(this.s, this.thread + TCB_CTABLE * 2 ** SLOT_BITS);
    return root._tag === 'CNodeCap' ? root.ptr : undefined;
  }

  get hasFaultHandler(): boolean {
    if (this.faultHandler === undefined) {
      const handler = lookupCap(this.s, this.thread, getTCB(this.s, this.thread).faultHandler);
      this.faultHandler = E.isRight(handler) && isFaultHandlerCap(handler.right);
    }
    return this.faultHandler;
  }

  get invokable(): readonly Invokable[] {
    this.invokableCaps ??= invokableCaps(this.s, this.thread);
    return this.invokableCaps;
  }

  get full(): readonly Target[] {
    return this.addressable().full;
  }

  get empty(): readonly Target[] {
    return this.addressable().empty;
  }

  private addressable(): { readonly full: readonly Target[]; readonly empty: readonly Target[] } {
    if (this.slots !== undefined) return this.slots;
    const full: Target[] = [];
    const empty: Target[] = [];
    const seenNodes = new Set<string>();
    for (const inv of this.invokable) {
      if (inv.cap._tag !== 'CNodeCap') continue;
      const key = `${inv.cap.ptr}:${inv.cap.guard}:${inv.cap.guardSize}`;
      if (seenNodes.has(key)) continue;
      seenNodes.add(key);
      const t = targetsOf(this.s, inv.cptr, inv.cap);
      full.push(...t.full);
      empty.push(...t.empty);
    }
    this.slots = { full, empty };
    return this.slots;
  }
}

const computeView = (s: KernelState): View => new LazyView(s);
