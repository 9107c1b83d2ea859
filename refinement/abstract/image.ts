/**
 * The incremental abstraction: a persistent image of the spec state a
 * concrete kernel represents, kept up to date from what each kernel entry
 * wrote (the memory's cell log and the ghost table's change log) instead of
 * being rebuilt from all of memory. After an update the image equals what the
 * whole-state abstraction (`abstract`) would build; the violations it returns
 * are those of the parts it re-read, which are all the parts a write can have
 * changed. `--full-compare` checks this claim: it runs the whole abstraction
 * instead, and the test suite asserts both modes reach the same verdicts.
 *
 * What a write can change:
 * - the object whose memory holds the cell (TCBs, endpoints, notifications,
 *   page tables and directories, ASID pools are read from memory; CNodes and
 *   frames from the ghost table only), and every endpoint or notification
 *   whose queue walk read the cell (a queued thread's links);
 * - the slot at the cell, if it lies in a CNode's or a TCB's slot area, and
 *   with it every MDB list the slot is on, was on, or was linked to (a list is
 *   re-abstracted whole: its parent map is a walk over it);
 * - the user-memory words of the cell, if it lies in a RAM frame;
 * - the ready queues and the scalar globals, which are re-read every time
 *   (they are a few words and the queues of runnable threads).
 */
import { TCB_OFFSET } from '../../spec/api';
import type { KernelState } from '../../spec/model/state';
import type { Cap, KernelObject, PPtr, SlotPtr } from '../../spec/model/structures';
import type { PMap } from '../../spec/model/persistent';
import { Tcb } from '../../impl/model/layout';
import { CELL_BITS, type WriteLog } from '../../impl/model/memory';
import type { GhostObject, Kernel } from '../../impl/model/state';
import { abstract, abstractGlobals, abstractInterruptsAndASIDs, forEachUserWord } from './index';
import { abstractCap } from './cap';
import { type Entry, abstractList, readArea, readSlot, slotArea } from './cspace';
import { abstractObject } from './objects';
import { ObjectIndex } from './objectIndex';
import { abstractReadyQueues, checkQueuedBits, readyQueueTableWrites } from './scheduler';
import type { Violation } from './read';

const CELL = 2 ** CELL_BITS;
const cellOf = (paddr: number): number => paddr - (paddr % CELL);

/** Objects whose abstraction reads their own memory (the others are the ghost table's alone). */
const READ_FROM_MEMORY: ReadonlySet<string> = new Set(['TCB', 'Endpoint', 'Notification', 'PageTable', 'PageDirectory', 'ASIDPool']);

/** The cells a queue walk reads from a thread: its two IPC-queue links. */
const queueCells = (t: PPtr): number[] => [cellOf(t + TCB_OFFSET + 4 * Tcb.epNext), cellOf(t + TCB_OFFSET + 4 * Tcb.epPrev)];

const queueOf = (o: KernelObject | undefined): readonly PPtr[] => {
  if (o?._tag === 'Endpoint') return o.state._tag === 'IdleEP' ? [] : o.state.queue;
  if (o?._tag === 'Notification') return o.state._tag === 'WaitingNtfn' ? o.state.queue : [];
  return [];
};

const sameArray = <A>(a: readonly A[] | undefined, b: readonly A[] | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));

/** What one kernel entry wrote: its memory's cells and zeroed ranges, and the ghost objects it changed. */
export interface Footprint {
  readonly log: WriteLog;
  readonly ghostChanges: readonly number[];
}

/** What several kernel entries wrote, as one footprint (an update from it re-reads everything any of them wrote). */
export const mergeFootprints = (fs: readonly Footprint[]): Footprint => ({
  log: { cells: fs.flatMap((f) => f.log.cells), zeroed: fs.flatMap((f) => f.log.zeroed) },
  ghostChanges: fs.flatMap((f) => f.ghostChanges),
});

/** Take (and so empty) a kernel's write logs. */
export const takeFootprint = (k: Kernel): Footprint => ({ log: k.mem.takeWriteLog(), ghostChanges: k.ghostObjects.takeChanges() });

/** The writes the kernel made to its IRQ and ASID tables so far: unchanged exactly when it wrote none since. */
const interruptTableWrites = (k: Kernel): number => k.intStateIRQTable.writes + k.irqMasked.writes + k.irqPending.writes + k.armKSASIDTable.writes;

/** What one update found: the violations of the representation invariant in what it re-read. */
export interface ImageUpdate {
  readonly violations: readonly Violation[];
}

export class AbstractImage {
  state: KernelState;
  private readonly index: ObjectIndex;
  /** Every occupied slot, as the MDB sees it. */
  private readonly entries = new Map<SlotPtr, Entry>();
  /** The MDB list each occupied slot was last abstracted on (its slots, in order). */
  private readonly listOf = new Map<SlotPtr, readonly SlotPtr[]>();
  /** Endpoints and notifications by the cells their queue walk read. */
  private readonly readers = new Map<number, Set<PPtr>>();
  private queued: ReadonlySet<PPtr>;
  /** The write counts of the ready-queue tables and of the IRQ and ASID tables when last abstracted. */
  private queueWrites: number;
  private interruptWrites: number;

  /** The violations of the representation invariant found when the image was built. */
  readonly initialViolations: readonly Violation[];

  /** The image of `k` as it stands, built whole. */
  constructor(k: Kernel) {
    const whole = abstract(k);
    this.state = whole.state;
    this.initialViolations = whole.violations;
    this.interruptWrites = interruptTableWrites(k);
    this.index = new ObjectIndex(k);
    const v: Violation[] = [];
    for (const [p, g] of this.index.ghosts) {
      const area = slotArea(p, g.type, g.sizeBits);
      if (area !== null) readArea(k, area.start, area.end, v, (e) => this.entries.set(e.slot, e));
    }
    const covered = new Set<SlotPtr>();
    for (const e of this.entries.values()) {
      if (covered.has(e.slot)) continue;
      const l = abstractList((s) => this.entries.get(s), e, this.entries.size, v);
      for (const s of l.slots) {
        covered.add(s);
        this.listOf.set(s, l.slots);
      }
    }
    for (const [p, o] of this.state.objects) this.addReaders(p, queueOf(o));
    this.queued = abstractReadyQueues(k, []).queued;
    this.queueWrites = readyQueueTableWrites(k);
  }

  private addReaders(p: PPtr, queue: readonly PPtr[]): void {
    for (const t of queue)
      for (const c of queueCells(t)) {
        let s = this.readers.get(c);
        if (s === undefined) this.readers.set(c, (s = new Set()));
        s.add(p);
      }
  }

  private removeReaders(p: PPtr, queue: readonly PPtr[]): void {
    for (const t of queue) for (const c of queueCells(t)) this.readers.get(c)?.delete(p);
  }

  /** Bring the image up to date with what the kernel wrote since the last update. */
  update(k: Kernel, { log, ghostChanges }: Footprint): ImageUpdate {
    const v: Violation[] = [];
    const dirtyObjects = new Set<PPtr>();
    const dirtySlots = new Set<SlotPtr>();
    const dirtyCells = new Set<number>(log.cells);
    let userMemory = this.state.userMemory;

    // Objects that appeared, disappeared or changed kind: all of their slots and user words with them.
    const before = this.index.update(k, ghostChanges);
    for (const [p, old] of before) {
      dirtyObjects.add(p);
      for (const g of [old, this.index.ghosts.get(p)]) {
        if (g === undefined) continue;
        const area = slotArea(p, g.type, g.sizeBits);
        if (area !== null) {
          this.forEachEntryIn(area.start, area.end, (slot) => dirtySlots.add(slot));
          readArea(k, area.start, area.end, [], (e) => dirtySlots.add(e.slot));
        }
      }
      if (old !== undefined && old.type === 'Frame') userMemory = dropWords(userMemory, p, p + 2 ** old.sizeBits);
      const g = this.index.ghosts.get(p);
      if (g !== undefined) forEachUserWord(k, p, g, (a, w) => (userMemory = userMemory.set(a, w)));
    }

    // Zeroed ranges: the objects, slots and user words inside them.
    for (const [start, end] of log.zeroed) {
      this.index.forEachIn(start, end, (p, g) => {
        dirtyObjects.add(p);
        const area = slotArea(p, g.type, g.sizeBits);
        if (area !== null) this.forEachEntryIn(Math.max(start, area.start), Math.min(end, area.end), (slot) => dirtySlots.add(slot));
        if (g.type === 'Frame') userMemory = dropWords(userMemory, Math.max(start, p), Math.min(end, p + 2 ** g.sizeBits));
      });
      for (const [c, qs] of this.readers) if (c >= start && c < end) for (const q of qs) dirtyObjects.add(q);
    }

    // Written cells: the object, the slot, the user words, the queue walks that read it.
    for (const c of dirtyCells) {
      for (const q of this.readers.get(c) ?? []) dirtyObjects.add(q);
      this.index.forEachIn(c, c + CELL, (p, g) => {
        dirtyObjects.add(p);
        const area = slotArea(p, g.type, g.sizeBits);
        if (area !== null && c >= area.start && c < area.end) dirtySlots.add(c);
        if (g.type === 'Frame' && !g.isDevice && k.mem.isRAM(p))
          for (let a = c; a < c + CELL; a += 4) {
            const w = k.mem.peek(a);
            userMemory = w === 0 ? userMemory.delete(a) : userMemory.set(a, w);
          }
      });
    }

    let objects = this.state.objects;
    const dirtyTCBs: PPtr[] = [];
    for (const p of dirtyObjects) {
      const g = this.index.ghosts.get(p);
      const old = objects.get(p);
      this.removeReaders(p, queueOf(old));
      if (g === undefined) {
        objects = objects.delete(p);
        continue;
      }
      if (g.type === 'TCB') dirtyTCBs.push(p);
      if (old !== undefined && !before.has(p) && !READ_FROM_MEMORY.has(g.type)) continue;
      const o = abstractObject(k, p, g, v);
      this.addReaders(p, queueOf(o));
      objects = objects.set(p, o);
    }

    const { caps, cdt } = this.updateCSpace(k, dirtySlots, v);
    const readyQueues = this.updateReadyQueues(k, dirtyObjects, dirtyTCBs, v);

    this.state = { ...this.state, ...abstractGlobals(k), ...this.interruptsAndASIDs(k, v), objects, caps, cdt, readyQueues, userMemory };
    return { violations: v };
  }

  /** Re-read the dirty slots, then re-abstract every MDB list they are on, were on, or were linked to. */
  private updateCSpace(k: Kernel, dirtySlots: ReadonlySet<SlotPtr>, v: Violation[]): Pick<KernelState, 'caps' | 'cdt'> {
    let caps: PMap<SlotPtr, Cap> = this.state.caps;
    if (dirtySlots.size === 0) return { caps, cdt: this.state.cdt };
    const seeds: SlotPtr[] = [];
    for (const slot of dirtySlots) {
      const old = this.entries.get(slot);
      if (old !== undefined) seeds.push(old.next, old.prev);
      const e = this.inSlotArea(slot) ? readSlot(k, slot, v) : null;
      if (e === null) {
        this.entries.delete(slot);
        caps = caps.delete(slot);
      } else {
        this.entries.set(slot, e);
        if (old === undefined || old.cap.w0 !== e.cap.w0 || old.cap.w1 !== e.cap.w1) caps = caps.set(slot, abstractCap(e.cap));
        seeds.push(slot);
      }
    }
    // Re-walk until every slot of every list touched is on a list walked this time.
    let { parent, children, original } = this.state.cdt;
    const walked = new Set<SlotPtr>();
    const reconcile = new Set<SlotPtr>(dirtySlots);
    const work = [...seeds, ...dirtySlots];
    // Each old list is taken apart once: its slots go to the work list and to reconcile.
    const oldLists = new Set<readonly SlotPtr[]>();
    const takeOldList = (s: SlotPtr) => {
      const l = this.listOf.get(s);
      if (l === undefined || oldLists.has(l)) return;
      oldLists.add(l);
      for (const mate of l) {
        reconcile.add(mate);
        work.push(mate);
      }
    };
    const newParent = new Map<SlotPtr, SlotPtr>();
    const newChildren = new Map<SlotPtr, readonly SlotPtr[]>();
    const newOriginal = new Set<SlotPtr>();
    for (let s = work.pop(); s !== undefined; s = work.pop()) {
      takeOldList(s);
      const e = this.entries.get(s);
      if (e === undefined || walked.has(s)) continue;
      const l = abstractList((x) => this.entries.get(x), e, this.entries.size, v);
      for (const x of l.slots) {
        walked.add(x);
        reconcile.add(x);
        takeOldList(x);
      }
      for (const x of l.slots) this.listOf.set(x, l.slots);
      for (const [c, p] of l.parent) newParent.set(c, p);
      for (const [p, cs] of l.children) newChildren.set(p, cs);
      for (const x of l.original) newOriginal.add(x);
    }
    for (const s of reconcile) {
      if (!this.entries.has(s)) this.listOf.delete(s);
      const p = newParent.get(s);
      if (p === undefined) parent = parent.delete(s);
      else parent = parent.set(s, p);
      const cs = newChildren.get(s);
      if (cs === undefined) children = children.delete(s);
      else if (!sameArray(children.get(s), cs)) children = children.set(s, cs);
      original = newOriginal.has(s) ? original.add(s) : original.delete(s);
    }
    return { caps, cdt: { parent, children, original } };
  }

  /**
   * The ready queues, walked again only when the step wrote the queue heads,
   * tails or bitmaps, or an object in a queue (the walk reads nothing else);
   * the tcbQueued bits of the threads it wrote, or that joined or left a queue.
   */
  private updateReadyQueues(k: Kernel, dirtyObjects: ReadonlySet<PPtr>, dirtyTCBs: readonly PPtr[], v: Violation[]): KernelState['readyQueues'] {
    const writes = readyQueueTableWrites(k);
    let readyQueues = this.state.readyQueues;
    let queuedWritten = false;
    for (const p of dirtyObjects) if (this.queued.has(p)) queuedWritten = true;
    if (writes === this.queueWrites && !queuedWritten) {
      checkQueuedBits(k, dirtyTCBs, this.queued, v);
      return readyQueues;
    }
    this.queueWrites = writes;
    const ready = abstractReadyQueues(k, v);
    const moved = [...dirtyTCBs];
    for (const t of ready.queued) if (!this.queued.has(t)) moved.push(t);
    for (const t of this.queued) if (!ready.queued.has(t)) moved.push(t);
    checkQueuedBits(k, moved, ready.queued, v);
    this.queued = ready.queued;
    const live = new Set<number>();
    for (const [i, q] of ready.queues) {
      live.add(i);
      if (!sameArray(readyQueues.get(i), q)) readyQueues = readyQueues.set(i, q);
    }
    for (const i of readyQueues.keys()) if (!live.has(i)) readyQueues = readyQueues.delete(i);
    return readyQueues;
  }

  /** The IRQ and ASID tables, re-read only when the kernel wrote a word of them since the last look. */
  private interruptsAndASIDs(k: Kernel, v: Violation[]): Partial<KernelState> {
    const writes = interruptTableWrites(k);
    if (writes === this.interruptWrites) return {};
    this.interruptWrites = writes;
    return abstractInterruptsAndASIDs(k, v);
  }

  /**
   * The live objects holding anything these logs say was written (for
   * comparing two kernels' hidden structure), and for a CNode only cells were
   * written to, those cells (its slots elsewhere are as they were).
   */
  touched(footprints: readonly Footprint[]): { objects: Map<PPtr, GhostObject>; cnodeCells: Map<PPtr, Set<number>> } {
    const objects = new Map<PPtr, GhostObject>();
    const whole = new Set<PPtr>();
    const wholly = (p: PPtr, g: GhostObject) => {
      objects.set(p, g);
      whole.add(p);
    };
    for (const f of footprints) {
      for (const [start, end] of f.log.zeroed) this.index.forEachIn(start, end, wholly);
      for (const p of f.ghostChanges) {
        const g = this.index.ghosts.get(p);
        if (g !== undefined) wholly(p, g);
      }
    }
    const cnodeCells = new Map<PPtr, Set<number>>();
    for (const f of footprints)
      for (const c of f.log.cells)
        this.index.forEachIn(c, c + CELL, (p, g) => {
          objects.set(p, g);
          if (g.type !== 'CNode' || whole.has(p)) return;
          const cells = cnodeCells.get(p);
          if (cells === undefined) cnodeCells.set(p, new Set([c]));
          else cells.add(c);
        });
    return { objects, cnodeCells };
  }

  /** Each occupied slot in [start, end): by the range or by the entries, whichever is shorter. */
  private forEachEntryIn(start: number, end: number, f: (slot: SlotPtr) => void): void {
    // A slot that begins before `start` but reaches into the range counts.
    const first = cellOf(start);
    if ((end - first) / CELL <= this.entries.size) {
      for (let slot = first; slot < end; slot += CELL) if (this.entries.has(slot)) f(slot);
    } else for (const slot of this.entries.keys()) if (slot >= first && slot < end) f(slot);
  }

  private inSlotArea(slot: SlotPtr): boolean {
    let inside = false;
    this.index.forEachIn(slot, slot + CELL, (p, g: GhostObject) => {
      const area = slotArea(p, g.type, g.sizeBits);
      if (area !== null && slot >= area.start && slot < area.end) inside = true;
    });
    return inside;
  }
}

/** The user-memory map without the words in [start, end) (by the range or by the map, whichever is smaller). */
const dropWords = (m: PMap<number, number>, start: number, end: number): PMap<number, number> => {
  if ((end - start) / 4 <= m.size) {
    for (let a = start; a < end; a += 4) m = m.delete(a);
    return m;
  }
  for (const a of [...m.keys()]) if (a >= start && a < end) m = m.delete(a);
  return m;
};
