import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INVARIANTS, invariantsNamed, wellFormed } from '../../invariants/wellFormed';
import { IncrementalWellFormed } from '../../invariants/wellFormed/incremental';
import type { Scope } from '../../invariants/wellFormed/scope';
import type { Violation } from '../../invariants/violation';
import { mapDelete, mapSet } from '../../spec/model/immutable';
import { type KernelState, readyQueueIndex } from '../../spec/model/state';
import type { Cap, KernelObject, PPtr, ThreadState } from '../../spec/model/structures';
import { generatedSpecStates } from '../helpers/traces';

const RUNS = generatedSpecStates(5, 6, 150);

const incrementalCheck = () => {
  const check = wellFormed.incremental?.();
  if (check === undefined) throw new Error('wellFormed has no incremental form');
  return check;
};

// ---------------------------------------------------------------- corruptions

/** One change to a valid state, chosen by small numbers so that fast-check can shrink it. */
interface Corruption {
  readonly kind: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

const pick = <A>(xs: readonly A[], i: number): A | undefined => (xs.length === 0 ? undefined : xs[i % xs.length]);

const objectsOf = (s: KernelState, tag?: KernelObject['_tag']): PPtr[] => [...s.objects].filter(([, o]) => tag === undefined || o._tag === tag).map(([p]) => p);

const setObject = (s: KernelState, p: PPtr | undefined, f: (o: KernelObject) => KernelObject): KernelState => {
  const o = p === undefined ? undefined : s.objects.get(p);
  return p === undefined || o === undefined ? s : { ...s, objects: mapSet(s.objects, p, f(o)) };
};

const threadStates = (s: KernelState, b: number, c: number): ThreadState[] => {
  const ep = pick(objectsOf(s, 'Endpoint'), b) ?? 0;
  const ntfn = pick(objectsOf(s, 'Notification'), b) ?? 0;
  const any = pick(objectsOf(s), c) ?? 0;
  return [
    { _tag: 'Running' },
    { _tag: 'Inactive' },
    { _tag: 'Restart' },
    { _tag: 'BlockedOnReply' },
    { _tag: 'IdleThreadState' },
    { _tag: 'BlockedOnReceive', ep, canGrant: false },
    { _tag: 'BlockedOnSend', ep, badge: 0, canGrant: false, canGrantReply: false, isCall: false },
    { _tag: 'BlockedOnNotification', ntfn },
    { _tag: 'BlockedOnReceive', ep: any, canGrant: true },
  ];
};

/** Apply one corruption; the result usually breaks an invariant, and sometimes (harmlessly) not. */
const corrupt = (s: KernelState, { kind, a, b, c }: Corruption): KernelState => {
  const tcbs = objectsOf(s, 'TCB');
  const slots = [...s.caps.keys()];
  const slot = pick(slots, a);
  const cap = slot === undefined ? undefined : s.caps.get(slot);
  const other = pick(slots, b);
  switch (kind % 18) {
    case 0:
      return setObject(s, pick(tcbs, a), (o) => ({ ...o, state: pick(threadStates(s, b, c), c) }) as KernelObject);
    case 1:
      return setObject(s, pick(tcbs, a), (o) => (o._tag === 'TCB' ? { ...o, priority: [0, 254, 255, 256][b % 4] as number, domain: c % 3 === 2 ? 99 : o.domain } : o));
    case 2:
      return setObject(s, pick(tcbs, a), (o) =>
        o._tag === 'TCB' ? { ...o, boundNotification: b % 3 === 0 ? null : (pick(objectsOf(s, 'Notification'), c) ?? null), ipcBuffer: b % 5 === 4 ? 0x1001 : o.ipcBuffer } : o,
      );
    case 3: {
      const queue = [pick(tcbs, b), pick(tcbs, c)].filter((t): t is PPtr => t !== undefined).slice(0, 1 + (c % 2));
      const state = [{ _tag: 'IdleEP' } as const, { _tag: 'SendEP', queue } as const, { _tag: 'RecvEP', queue } as const, { _tag: 'SendEP', queue: [] } as const][b % 4];
      return setObject(s, pick(objectsOf(s, 'Endpoint'), a), (o) => (o._tag === 'Endpoint' ? { ...o, state: state ?? o.state } : o));
    }
    case 4: {
      const queue = [pick(tcbs, b)].filter((t): t is PPtr => t !== undefined);
      const states = [{ _tag: 'IdleNtfn' } as const, { _tag: 'WaitingNtfn', queue } as const, { _tag: 'ActiveNtfn', badge: 1 } as const];
      return setObject(s, pick(objectsOf(s, 'Notification'), a), (o) =>
        o._tag === 'Notification' ? (c % 2 === 0 ? { ...o, state: states[b % 3] ?? o.state } : { ...o, boundTCB: b % 2 === 0 ? null : (pick(tcbs, c) ?? null) }) : o,
      );
    }
    case 5: {
      const p = pick(objectsOf(s), a);
      return p === undefined ? s : { ...s, objects: mapDelete(s.objects, p) };
    }
    case 6: {
      const p = pick(objectsOf(s), a);
      const o = p === undefined ? undefined : s.objects.get(p);
      const at = (pick(objectsOf(s), b) ?? 0) + (pick([0, 16, 512, 4096], c) ?? 0);
      return o === undefined ? s : { ...s, objects: mapSet(s.objects, at, o) };
    }
    case 7:
      return slot === undefined ? s : { ...s, caps: mapDelete(s.caps, slot) };
    case 8: {
      // A cap copied over another slot's, or to just past it (in a CNode, or outside every one).
      const to = other === undefined ? undefined : other + (pick([0, 16, 2 ** 20], c) ?? 0);
      return cap === undefined || to === undefined ? s : { ...s, caps: mapSet(s.caps, to, cap) };
    }
    case 9: {
      const tcb = pick(tcbs, b);
      const changed: Cap | undefined =
        cap?._tag === 'ReplyCap'
          ? c % 2 === 0
            ? { ...cap, master: !cap.master }
            : { ...cap, tcb: tcb ?? cap.tcb }
          : cap?._tag === 'ThreadCap'
            ? { ...cap, tcb: pick(objectsOf(s), c) ?? cap.tcb }
            : undefined;
      return slot === undefined || changed === undefined ? s : { ...s, caps: mapSet(s.caps, slot, changed) };
    }
    case 10: {
      const u = pick(
        slots.filter((x) => s.caps.get(x)?._tag === 'UntypedCap'),
        a,
      );
      const uc = u === undefined ? undefined : s.caps.get(u);
      return u === undefined || uc?._tag !== 'UntypedCap' ? s : { ...s, caps: mapSet(s.caps, u, { ...uc, freeIndex: b % 2 === 0 ? 0 : Math.floor(uc.freeIndex / 2) }) };
    }
    case 11:
      if (slot === undefined) return s;
      return {
        ...s,
        cdt: { ...s.cdt, parent: b % 3 === 0 || other === undefined ? mapDelete(s.cdt.parent, slot) : mapSet(s.cdt.parent, slot, other) },
      };
    case 12: {
      const parents = [...s.cdt.children.keys()];
      const p = pick(parents, a);
      const kids = p === undefined ? undefined : s.cdt.children.get(p);
      if (p === undefined || kids === undefined) return s;
      const next = [kids.slice(1), [...kids, ...kids.slice(0, 1)], [...kids, other ?? p]][b % 3] as number[];
      return { ...s, cdt: { ...s.cdt, children: mapSet(s.cdt.children, p, next) } };
    }
    case 13:
      if (slot === undefined) return s;
      return { ...s, cdt: { ...s.cdt, original: s.cdt.original.has(slot) ? s.cdt.original.delete(slot) : s.cdt.original.add(slot) } };
    case 14: {
      const t = pick(tcbs, a);
      const tcb = t === undefined ? undefined : s.objects.get(t);
      const index = tcb?._tag === 'TCB' ? readyQueueIndex(tcb.domain, tcb.priority) + (b % 3 === 2 ? 1 : 0) : 0;
      const q = s.readyQueues.get(index) ?? [];
      const next = [[...q, t ?? 0], q.slice(1), []][b % 3] as number[];
      return { ...s, readyQueues: mapSet(s.readyQueues, index, next) };
    }
    case 15: {
      const t = pick(tcbs, a) ?? s.curThread;
      return b % 2 === 0 ? { ...s, curThread: t } : { ...s, schedulerAction: { _tag: 'SwitchToThread', tcb: t } };
    }
    case 16: {
      // An object changes shape in place: a CNode's radix, a frame's size, or another kind altogether.
      const reshaped = (o: KernelObject): KernelObject =>
        o._tag === 'CNode'
          ? { ...o, radix: Math.max(1, o.radix + (b % 2 === 0 ? -1 : 1)) }
          : o._tag === 'Frame'
            ? { ...o, sizeBits: o.sizeBits === 12 ? 16 : 12 }
            : { _tag: 'Endpoint', state: { _tag: 'IdleEP' } };
      return setObject(s, pick(objectsOf(s), a), reshaped);
    }
    default:
      return cap?._tag === 'EndpointCap' || cap?._tag === 'NotificationCap' || cap?._tag === 'CNodeCap'
        ? { ...s, caps: mapSet(s.caps, slot as number, { ...cap, ptr: pick(objectsOf(s), b) ?? cap.ptr }) }
        : s;
  }
};

const corruptionArb = fc.record({ kind: fc.nat(17), a: fc.nat(400), b: fc.nat(400), c: fc.nat(400) });

/** A state of a trace, passed to a fresh incremental check, then a corrupted successor: both checks must say the same. */
const caseArb = fc.record({
  run: fc.nat(RUNS.length - 1),
  at: fc.nat(1000),
  corruptions: fc.array(corruptionArb, { minLength: 1, maxLength: 3 }),
});

const agreesOnCorruption = (make: () => (s: KernelState) => readonly Violation[]) => (c: { run: number; at: number; corruptions: Corruption[] }) => {
  const states = RUNS[c.run] as KernelState[];
  const i = c.at % states.length;
  const check = make();
  // The check sees the states up to the i-th, as in a run, then a corrupted successor of it.
  for (const s of states.slice(Math.max(0, i - 2), i + 1)) expect(check(s)).toEqual([]);
  const bad = c.corruptions.reduce(corrupt, states[i] as KernelState);
  expect(check(bad)).toEqual(wellFormed(bad));
};

describe('invariants/wellFormed/incremental: the invariants on what a step changed', () => {
  it('pass every state of generated traces, seen in order, as the whole check does', () => {
    let states = 0;
    for (const run of RUNS) {
      const check = incrementalCheck();
      for (const s of run) {
        expect(wellFormed(s)).toEqual([]);
        expect(check(s)).toEqual([]);
        states++;
      }
    }
    expect(states).toBeGreaterThan(RUNS.length * 50);
  });

  it('report exactly what the whole check reports on corrupted successors of those states', () => {
    let broken = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        agreesOnCorruption(incrementalCheck)(c);
        const states = RUNS[c.run] as KernelState[];
        if (wellFormed(c.corruptions.reduce(corrupt, states[c.at % states.length] as KernelState)).length > 0) broken++;
      }),
      { seed: Number(process.env.SEED ?? 42), numRuns: Number(process.env.NUMRUNS ?? 600) },
    );
    // The corruptions must mostly break something, or the agreement says little.
    expect(broken).toBeGreaterThan(400);
  }, 600_000);

  it('a selection by name (--invariant) reports exactly the violations of the invariants it names, whole and incrementally', () => {
    const names = INVARIANTS.map(([n]) => n);
    let selected = 0;
    fc.assert(
      fc.property(caseArb, fc.subarray(names, { minLength: 1 }), (c, chosen) => {
        const check = invariantsNamed(chosen);
        expect(check.invariants).toEqual(names.filter((n) => chosen.includes(n)));
        const states = RUNS[c.run] as KernelState[];
        const i = c.at % states.length;
        const bad = c.corruptions.reduce(corrupt, states[i] as KernelState);
        const expected = wellFormed(bad).filter((v) => chosen.includes(v.message.slice(0, v.message.indexOf(':'))));
        expect(check(bad)).toEqual(expected);
        const incremental = check.incremental?.();
        for (const s of states.slice(Math.max(0, i - 2), i + 1)) expect(incremental?.(s)).toEqual([]);
        expect(incremental?.(bad)).toEqual(expected);
        if (expected.length > 0 && expected.length < wellFormed(bad).length) selected++;
      }),
      { seed: 44, numRuns: 300 },
    );
    // Often a selection sees some of a corruption's violations and not others.
    expect(selected).toBeGreaterThan(30);
    expect(() => invariantsNamed(['cdtAcyclic', 'noSuchInvariant'])).toThrow('no kernel invariant is named noSuchInvariant');
  });

  it('the corruptions reach every invariant', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(caseArb, (c) => {
        const states = RUNS[c.run] as KernelState[];
        const bad = c.corruptions.reduce(corrupt, states[c.at % states.length] as KernelState);
        for (const [name, inv] of INVARIANTS) if (inv(bad).length > 0) reached.add(name);
      }),
      { seed: 43, numRuns: 600 },
    );
    expect([...INVARIANTS.map(([n]) => n)].filter((n) => !reached.has(n))).toEqual([]);
  });

  // The property bites: a check that visits only the subjects a step wrote, not those that read them, is caught.
  it('catches an incremental check that forgets the neighbours of what changed', () => {
    class OnlyWritten extends IncrementalWellFormed {
      protected override scopeOf(...args: Parameters<IncrementalWellFormed['scopeOf']>): Scope {
        const [before, after] = args;
        const scope = super.scopeOf(...args);
        const written = after.objects.changedSince(before.objects) ?? new Set();
        return { ...scope, objects: new Set([...scope.objects].filter((p) => written.has(p))) };
      }
    }
    const make = () => {
      const tracker = new OnlyWritten(INVARIANTS, wellFormed);
      return (s: KernelState) => tracker.check(s);
    };
    const r = fc.check(
      fc.property(caseArb, (c) => agreesOnCorruption(make)(c)),
      { seed: 42, numRuns: 600 },
    );
    expect(r.failed).toBe(true);
  });
});
