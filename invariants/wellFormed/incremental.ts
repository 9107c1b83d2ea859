/**
 * The kernel invariants checked on what a step changed. The spec's state is
 * persistent: each map tells the keys written since an older version
 * (`changedSince`), so the check learns what the step replaced without the
 * spec doing anything but build its next state. From those keys it computes
 * the subjects whose check reads something that changed (a `Scope`) and runs
 * every invariant on them only.
 *
 * Sound because the state before the step passed every invariant (a
 * violation ends the run; the first state is checked whole): a subject whose
 * inputs did not change still passes. So a subject is re-visited when it
 * changed or when anything its check reads did. Where a check reads a
 * relation (a queue's members, a cap's object, a CDT parent), the old state's
 * half is known from the old state, which satisfied the invariants: the
 * threads an endpoint's check read are the members of its old queue, the
 * queue a thread sat in is the one its old state names, and so on. The
 * whole check (`--full-compare`) is the oracle this is tested against, on
 * every mutant and on corrupted states (test/invariants/incremental.test.ts).
 *
 * Any violation found is reported from the whole check, so a report reads
 * the same in both modes.
 */
import { slotOf } from '../../spec/model/heap';
import { type KernelState, readyQueueIndex } from '../../spec/model/state';
import { type Cap, type KernelObject, type PPtr, type SlotPtr, TCB_SLOT_COUNT } from '../../spec/model/structures';
import { SLOT_BITS } from '../../spec/api';
import type { Violation } from '../violation';
import { expectedObject } from './objects';
import { type Scope, type Subjects, sortedBases, subjectsIn, upperBound } from './scope';

export interface InvariantCheck {
  (s: KernelState, at?: Subjects): Violation[];
}

/** The object a cap's checks read: its object's kind (capsPointToLiveObjects), a reply cap's thread's state. */
const capTarget = (c: Cap): PPtr | undefined => expectedObject(c)?.ptr;

/** Which slots hold a cap to each object, built from the whole state, then kept up to date. */
const capsToObjects = (s: KernelState): Map<PPtr, Set<SlotPtr>> => {
  const capsTo = new Map<PPtr, Set<SlotPtr>>();
  for (const [slot, c] of s.caps) addCapTo(capsTo, slot, c);
  return capsTo;
};

const addCapTo = (capsTo: Map<PPtr, Set<SlotPtr>>, slot: SlotPtr, c: Cap): void => {
  const t = capTarget(c);
  if (t === undefined) return;
  const slots = capsTo.get(t);
  if (slots === undefined) capsTo.set(t, new Set([slot]));
  else slots.add(slot);
};

const removeCapTo = (capsTo: Map<PPtr, Set<SlotPtr>>, slot: SlotPtr, c: Cap): void => {
  const t = capTarget(c);
  if (t === undefined) return;
  const slots = capsTo.get(t);
  slots?.delete(slot);
  if (slots?.size === 0) capsTo.delete(t);
};

/** What one step wrote in the spec state, or null where a map is not a later version of the old one. */
interface StepChanges {
  readonly objects: ReadonlySet<PPtr>;
  readonly caps: ReadonlySet<SlotPtr>;
  /** Slots whose parent changed; slots with any CDT entry changed (parent, children list, originality). */
  readonly parents: ReadonlySet<SlotPtr>;
  readonly cdtSlots: ReadonlySet<SlotPtr>;
  readonly readyQueues: ReadonlySet<number>;
}

const changesOf = (before: KernelState, after: KernelState): StepChanges | null => {
  const objects = after.objects.changedSince(before.objects);
  const caps = after.caps.changedSince(before.caps);
  const parent = after.cdt.parent.changedSince(before.cdt.parent);
  const children = after.cdt.children.changedSince(before.cdt.children);
  const original = after.cdt.original.changedSince(before.cdt.original);
  const readyQueues = after.readyQueues.changedSince(before.readyQueues);
  if (objects === null || caps === null || parent === null || children === null || original === null || readyQueues === null) return null;
  return { objects, caps, parents: parent, cdtSlots: new Set([...parent, ...children, ...original]), readyQueues };
};

/** The threads an object's check reads, or that read it: queue members, the object a thread waits on, bound partners. */
const objectNeighbours = (o: KernelObject | undefined, add: (p: PPtr) => void): void => {
  if (o === undefined) return;
  switch (o._tag) {
    case 'TCB':
      if (o.state._tag === 'BlockedOnSend' || o.state._tag === 'BlockedOnReceive') add(o.state.ep);
      if (o.state._tag === 'BlockedOnNotification') add(o.state.ntfn);
      if (o.boundNotification !== null) add(o.boundNotification);
      return;
    case 'Endpoint':
      if (o.state._tag !== 'IdleEP') o.state.queue.forEach(add);
      return;
    case 'Notification':
      if (o.state._tag === 'WaitingNtfn') o.state.queue.forEach(add);
      if (o.boundTCB !== null) add(o.boundTCB);
      return;
    default:
      return;
  }
};

const sameSlots = (a: KernelObject | undefined, b: KernelObject | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a._tag === b._tag && (a._tag !== 'CNode' || (b._tag === 'CNode' && a.radix === b.radix));

/** The slots a container holds: TCB slots, or a CNode's, by range when that is shorter than the list of caps. */
const slotsOf = (p: PPtr, o: KernelObject, caps: ReadonlyMap<SlotPtr, Cap>): Iterable<SlotPtr> => {
  const count = o._tag === 'TCB' ? TCB_SLOT_COUNT : o._tag === 'CNode' ? 2 ** o.radix : 0;
  const end = slotOf(p, count);
  if (count <= caps.size) return Array.from({ length: count }, (_, i) => slotOf(p, i));
  return [...caps.keys()].filter((slot) => slot >= p && slot < end);
};

/** An untyped whose range or free index could have narrowed: its descendants need a look. */
const narrowed = (before: Cap | undefined, after: Cap | undefined): boolean =>
  after?._tag === 'UntypedCap' && (before?._tag !== 'UntypedCap' || before.ptr !== after.ptr || before.freeIndex > after.freeIndex);

/**
 * The incremental form of `wellFormed`: `check` is given the spec state after
 * each step and looks at what changed since the state it was given before.
 */
export class IncrementalWellFormed {
  private last: KernelState | undefined;
  private bases: PPtr[] = [];
  private capsTo = new Map<PPtr, Set<SlotPtr>>();

  constructor(
    private readonly invariants: ReadonlyArray<readonly [string, InvariantCheck]>,
    private readonly whole: (s: KernelState) => Violation[],
  ) {}

  check(s: KernelState): Violation[] {
    const before = this.last;
    const changes = before === undefined ? null : changesOf(before, s);
    this.last = s;
    if (before === undefined || changes === null) {
      this.bases = sortedBases(s);
      this.capsTo = capsToObjects(s);
      return this.whole(s);
    }
    const at = subjectsIn(s, this.scopeOf(before, s, changes));
    for (const [, inv] of this.invariants) {
      const found = inv(s, at);
      if (found.length > 0) {
        const all = this.whole(s);
        return all.length > 0 ? all : found;
      }
    }
    return [];
  }

  /** Bring the indexes to `after` and gather the subjects to visit. */
  protected scopeOf(before: KernelState, after: KernelState, changes: StepChanges): Scope {
    const objects = new Set<PPtr>();
    const slots = new Set<SlotPtr>();
    const untypeds = new Set<SlotPtr>();
    const subtrees = new Set<SlotPtr>();
    const readyQueues = new Set<number>(changes.readyQueues);
    const addObject = (p: PPtr) => objects.add(p);

    for (const p of changes.objects) {
      const old = before.objects.get(p);
      const now = after.objects.get(p);
      this.placeObject(p, old !== undefined, now !== undefined);
      objects.add(p);
      objectNeighbours(old, addObject);
      objectNeighbours(now, addObject);
      for (const o of [old, now]) if (o?._tag === 'TCB') readyQueues.add(readyQueueIndex(o.domain, o.priority));
      // Caps to the object (their check reads its type; a reply cap's, its thread's state).
      for (const slot of this.capsTo.get(p) ?? []) slots.add(slot);
      // A container that went or changed shape: the caps in its slots need a home.
      if (old !== undefined && !sameSlots(old, now)) for (const slot of slotsOf(p, old, after.caps)) slots.add(slot);
    }
    for (const slot of changes.caps) {
      const old = before.caps.get(slot);
      const now = after.caps.get(slot);
      if (old !== undefined) removeCapTo(this.capsTo, slot, old);
      if (now !== undefined) addCapTo(this.capsTo, slot, now);
      if (narrowed(old, now)) untypeds.add(slot);
      subtrees.add(slot);
      // The thread whose TCB slot this is (its slot checks), and the other caps to a reply cap's thread (at most one each).
      for (let i = 0; i < TCB_SLOT_COUNT; i++) objects.add(slot - i * 2 ** SLOT_BITS);
      for (const c of [old, now]) if (c?._tag === 'ReplyCap') for (const other of this.capsTo.get(c.tcb) ?? []) slots.add(other);
      for (const c of [old, now]) {
        const t = c === undefined ? undefined : capTarget(c);
        if (t !== undefined) objects.add(t);
      }
    }
    // A new children list only adds children whose parent changed: their subtrees, not the parent's, are new under its ancestors.
    for (const slot of changes.parents) subtrees.add(slot);
    // A slot, its parent and its children, before and after: the CDT checks read each other's entries and caps.
    for (const slot of [...changes.caps, ...changes.cdtSlots]) {
      slots.add(slot);
      for (const s of [before, after]) {
        const parent = s.cdt.parent.get(slot);
        if (parent !== undefined) slots.add(parent);
        for (const c of s.cdt.children.get(slot) ?? []) slots.add(c);
      }
    }
    // Threads that left a ready queue, and the current thread and switch target of both states.
    for (const index of changes.readyQueues) for (const t of before.readyQueues.get(index) ?? []) objects.add(t);
    for (const s of [before, after]) {
      objects.add(s.curThread);
      if (s.schedulerAction._tag === 'SwitchToThread') objects.add(s.schedulerAction.tcb);
    }
    // Unchanged subjects in the scope only pass their checks again: a few extra visits, never a missed one.
    return { objects, slots, untypeds, subtrees, readyQueues, bases: this.bases };
  }

  /** Keep the sorted object bases in step with the object map. */
  private placeObject(p: PPtr, was: boolean, is: boolean): void {
    if (was === is) return;
    const i = upperBound(this.bases, p);
    if (is) this.bases.splice(i, 0, p);
    else if (this.bases[i - 1] === p) this.bases.splice(i - 1, 1);
  }
}
