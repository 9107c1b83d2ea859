/**
 * The IPC fastpath (impl/fastpath): short hand-written traces run in lock step
 * with the spec while the concrete kernel has the fastpath switched on. Each
 * shows the fastpath taken, or falling back for one named reason, with the
 * abstracted concrete state equal to the spec's after every event; and each
 * fastpath mutant is caught by a trace on which it makes the two part.
 */
import { describe, expect, it } from 'vitest';
import { type Event, InitSlot, ROOT_IPC_BUFFER_PTR, SysReplyRecv, messageInfo } from '../../spec/api';
import { AllRights, CNode, DomainSet, TCB, call, msg, recv, replyRecv, send, yieldNow } from '../../refinement/scenario';
import { getTCB } from '../../spec/model/heap';
import { MUTANTS } from '../../properties/mutants';
import { boot } from '../../impl/kernel';
import { lookupFp } from '../../impl/fastpath/fastpath';
import { CALL_FALLBACK_REASONS, FALLBACK_REASONS, type FallbackReason, REPLY_RECV_FALLBACK_REASONS } from '../../impl/fastpath/reasons';
import type { FastpathStats } from '../../properties/fastpathStats';
import { lookupCap } from '../../impl/kernel/cspace';
import { getSlotCap, slotPtr } from '../../impl/model/heap';
import { CapTag, capType } from '../../impl/model/layout';
import { LockStep, runTrace } from '../../refinement/run';
import { renderFailure } from '../../refinement/report/counterexample';
import { wellFormed } from '../../invariants/wellFormed';
import { CNODE, FREE, ObjType } from '../helpers/boot';
import { ROOT, type Scenario, replyOf, runWithOptions } from '../helpers/scenario';
import { bufferPaddr, bufferVaddr, retypeInto, spawnThread, tcbAt } from '../helpers/threads';

// ---------------------------------------------------------------- the system

/** Root CNode slots. */
const EP = FREE; // the endpoint, all rights, no badge
const EPB = FREE + 1; // badge 0x55, all rights
const EP_RECV_ONLY = FREE + 2; // receive only (no grant)
const EP_SEND_ONLY = FREE + 3; // send only: no grant, no grant-reply
const EP_NO_SEND = FREE + 4; // receive and grant, no send
const FAULT_EP = FREE + 5; // a second endpoint nobody receives on
const NTFN = FREE + 6;
const NEST = FREE + 7; // the root CNode again, guard size 0 (a second level)
const NEST_DEEP = FREE + 8; // the root CNode again, guard size 4 (overshoots 32 bits)
const S = FREE + 10; // the server
const S2 = FREE + 11; // a second server
const T = FREE + 12; // a third thread (client, faulting thread, sender)
const R = FREE + 13; // a ready thread of middle priority

const BADGE = 0x55;
const W = 1;
const RD = 2;
const G = 4;
const GR = 8;

/** The endpoint and its differently-righted copies. */
const endpoints: Event[] = [
  retypeInto(ObjType.Endpoint, EP),
  CNode.mint(EPB, EP, AllRights, BADGE),
  CNode.mint(EP_RECV_ONLY, EP, RD, 0),
  CNode.mint(EP_SEND_ONLY, EP, W, 0),
  CNode.mint(EP_NO_SEND, EP, RD | G | GR, 0),
];

/** The server S (priority 255) waits in Recv on EP; the root task runs again. */
const serverWaiting: Event[] = [...endpoints, ...spawnThread(S), yieldNow(), recv(EP)];

/** The root task has called S (the fastpath takes it): S runs and holds a reply cap to the root task. */
const serverCalled: Event[] = [...serverWaiting, call(EPB, msg(3, [1, 2, 3]))];

/** S, bound to NTFN, has received the root's Call and holds the reply cap. */
const boundServerCalled: readonly Event[] = [
  ...endpoints,
  retypeInto(ObjType.Notification, NTFN),
  ...spawnThread(S),
  TCB.bindNotification(S, NTFN),
  yieldNow(),
  recv(EP),
  call(EPB, msg(0, [1])),
];

/** A thread T whose fault handler is FAULT_EP has faulted (nobody receives) and been resumed: it runs with its fault still stored. */
const faultedThreadRunning: Event[] = [
  ...serverWaiting,
  retypeInto(ObjType.Endpoint, FAULT_EP),
  ...spawnThread(T, { faultEP: FAULT_EP, buffer: 2 }),
  yieldNow(), // T runs
  { kind: 'exception' }, // T blocks sending its fault to FAULT_EP
  TCB.resume(T), // cancels the fault IPC; the fault stays stored
  yieldNow(), // T runs again
];

/**
 * A client T whose CSpace root is the root CNode with an 8-bit guard (20 bits
 * at the first level), so that NEST (guard 0, radix 12) resolves the last 12
 * bits and NEST_DEEP (guard 4) overshoots; S waits in Recv and T runs.
 */
const nestedClient = (): Event[] => [
  ...endpoints,
  CNode.mint(NEST, CNODE, AllRights, 0),
  CNode.mint(NEST_DEEP, CNODE, AllRights, 4 << 3),
  retypeInto(ObjType.TCB, T),
  TCB.configure(T, 0, CNODE, 8 << 3, InitSlot.ThreadVSpace, 0, bufferVaddr(2), InitSlot.ThreadIPCBuffer),
  TCB.setSchedParams(T, InitSlot.ThreadTCB, 255, 255),
  TCB.resume(T),
  ...spawnThread(S), // resumed last, so S runs first
  yieldNow(),
  recv(EP), // S blocks; T runs
];

// ---------------------------------------------------------------- helpers

type Counters = { attempts: number; hits: number; fallbacks: Partial<Record<FallbackReason, number>> };

const snapshot = (s: FastpathStats): FastpathStats => ({
  attempts: s.attempts,
  hits: s.hits,
  fallbacks: { ...s.fallbacks },
  bySyscall: { Call: { ...s.bySyscall.Call }, ReplyRecv: { ...s.bySyscall.ReplyRecv } },
});

/** What the counters gained between two snapshots (reasons that did not move are left out). */
const gained = (a: FastpathStats, b: FastpathStats): Counters => {
  const fallbacks: Partial<Record<FallbackReason, number>> = {};
  for (const r of FALLBACK_REASONS) if (b.fallbacks[r] !== a.fallbacks[r]) fallbacks[r] = b.fallbacks[r] - a.fallbacks[r];
  return { attempts: b.attempts - a.attempts, hits: b.hits - a.hits, fallbacks };
};

/** The fastpath counters of a lock step whose fastpath is on. */
const statsOf = (ls: LockStep): FastpathStats => {
  if (ls.fastpathStats === undefined) throw new Error('the lock step runs no kernel with the fastpath on');
  return ls.fastpathStats;
};

/** Run the events in lock step with the fastpath on; returns the scenario and what the last event did to the counters. */
const runFast = (events: readonly Event[], mutants: readonly string[] = []): { sc: Scenario; last: Counters } => {
  const prefix = events.slice(0, -1);
  const lastEvent = events[events.length - 1];
  if (lastEvent === undefined) throw new Error('no events');
  const sc = runWithOptions(prefix, { fastpath: true, mutants });
  const ls = sc.lockStep;
  const before = snapshot(statsOf(ls));
  ls.step(lastEvent);
  if (ls.failure !== undefined) expect.fail(renderFailure(ls.failure).join('\n'));
  return { sc: { ...sc, state: ls.spec }, last: gained(before, statsOf(ls)) };
};

const HIT: Counters = { attempts: 1, hits: 1, fallbacks: {} };
const fellBack = (r: FallbackReason): Counters => ({ attempts: 1, hits: 0, fallbacks: { [r]: 1 } });

// ---------------------------------------------------------------- the switch

describe('the fastpath switch', () => {
  it('is off by default: Call and ReplyRecv go to the slow path and nothing is counted', () => {
    expect(boot().fastpath).toBe(false);
    const sc = runWithOptions([...serverCalled, replyRecv(EP, msg(0, [9]))]);
    expect(sc.lockStep.impl.fastpath).toBe(false);
    expect(sc.lockStep.fastpathStats).toBeUndefined();
  });

  it('is a boot option and a lock-step option', () => {
    expect(boot(undefined, [], { fastpath: true }).fastpath).toBe(true);
    const ls = new LockStep({ fastpath: true });
    expect(ls.impl.fastpath).toBe(true);
    ls.dispose();
  });

  it('is tried only for Call and ReplyRecv', () => {
    const sc = runWithOptions([...endpoints, ...spawnThread(S), yieldNow(), recv(EP), send(EPB, msg(0, [1]))], { fastpath: true });
    const s = statsOf(sc.lockStep);
    // The root task's Calls (retype, mint, TCB setup) were all attempted and fell back; Send and Recv were not tried.
    expect(s.hits).toBe(0);
    expect(s.attempts).toBe(s.bySyscall.Call.attempts);
    expect(s.bySyscall.ReplyRecv.attempts).toBe(0);
  });

  it('lists every reason once, split between the two fastpaths', () => {
    expect(new Set(FALLBACK_REASONS).size).toBe(FALLBACK_REASONS.length);
    expect(new Set([...CALL_FALLBACK_REASONS, ...REPLY_RECV_FALLBACK_REASONS])).toEqual(new Set(FALLBACK_REASONS));
  });
});

// ---------------------------------------------------------------- hits

describe('fastpath hits agree with the spec', () => {
  it('(a) a Call to a server blocked in Recv takes the fastpath', () => {
    const { sc, last } = runFast(serverCalled);
    expect(last).toEqual(HIT);
    const s = sc.state;
    const server = tcbAt(s, S);
    expect(s.curThread).toBe(server);
    expect(getTCB(s, ROOT).state._tag).toBe('BlockedOnReply');
    expect(replyOf(s, server, bufferPaddr(1))).toEqual({ badge: BADGE, label: 3, length: 3, words: [1, 2, 3] });
    expect(statsOf(sc.lockStep).bySyscall.Call.hits).toBe(1);
  });

  it('(b) the server answering with ReplyRecv takes the fastpath', () => {
    const { sc, last } = runFast([...serverCalled, replyRecv(EP, msg(9, [7, 8]))]);
    expect(last).toEqual(HIT);
    const s = sc.state;
    expect(s.curThread).toBe(ROOT);
    expect(replyOf(s, ROOT, ROOT_IPC_BUFFER_PTR)).toEqual({ badge: 0, label: 9, length: 2, words: [7, 8] });
    expect(getTCB(s, tcbAt(s, S)).state).toEqual({ _tag: 'BlockedOnReceive', ep: expect.any(Number), canGrant: true });
    expect(statsOf(sc.lockStep).bySyscall.ReplyRecv.hits).toBe(1);
  });

  it('a client/server loop stays on the fastpath', () => {
    const loop: Event[] = [];
    for (let i = 0; i < 5; i++) loop.push(call(EPB, msg(i, [i, i + 1, i + 2, i + 3])), replyRecv(EP, msg(100 + i, [i])));
    const sc = runWithOptions([...serverWaiting, ...loop], { fastpath: true, checkSpec: wellFormed });
    expect(statsOf(sc.lockStep).hits).toBe(10);
    expect(replyOf(sc.state, ROOT, ROOT_IPC_BUFFER_PTR)).toEqual({ badge: 0, label: 104, length: 1, words: [4] });
  });

  it('an empty message, and one of exactly four registers, take the fastpath', () => {
    expect(runFast([...serverWaiting, call(EPB)]).last).toEqual(HIT);
    expect(runFast([...serverWaiting, call(EPB, msg(0, [1, 2, 3, 4]))]).last).toEqual(HIT);
    expect(runFast([...serverCalled, replyRecv(EP, msg(0, [1, 2, 3, 4]))]).last).toEqual(HIT);
  });

  it('capsUnwrapped bits the sender left in its info word are cleared', () => {
    const info = messageInfo(7, 5, 0, 1);
    const { sc, last } = runFast([...serverWaiting, call(EPB, { info, mrs: [42] })]);
    expect(last).toEqual(HIT);
    expect(replyOf(sc.state, tcbAt(sc.state, S), bufferPaddr(1))).toEqual({ badge: BADGE, label: 7, length: 1, words: [42] });
  });

  it('with two receivers queued, the Call takes the head and the ReplyRecv queues behind the other', () => {
    const events: Event[] = [
      ...endpoints,
      // A resumed thread goes to the front of its ready queue: S, spawned last, runs first.
      ...spawnThread(S2, { buffer: 2 }),
      ...spawnThread(S),
      yieldNow(),
      recv(EP), // S
      recv(EP), // S2
      call(EPB, msg(0, [5])),
      replyRecv(EP, msg(0, [6])),
    ];
    const sc = runWithOptions(events, { fastpath: true });
    expect(statsOf(sc.lockStep).hits).toBe(2);
    const st = getTCB(sc.state, tcbAt(sc.state, S)).state;
    if (st._tag !== 'BlockedOnReceive') throw new Error(`S is ${st._tag}`);
    expect(sc.state.objects.get(st.ep)).toEqual({
      _tag: 'Endpoint',
      state: { _tag: 'RecvEP', queue: [tcbAt(sc.state, S2), tcbAt(sc.state, S)] },
    });
  });

  it('a lower-priority receiver is switched to directly when nothing else is ready', () => {
    const { sc, last } = runFast([...serverWaiting, TCB.setPriority(S, InitSlot.ThreadTCB, 100), call(EPB, msg(0, [1]))]);
    expect(last).toEqual(HIT);
    expect(sc.state.curThread).toBe(tcbAt(sc.state, S));
  });

  it('a receive-only receiver gets a reply cap without grant', () => {
    const events: Event[] = [...endpoints, ...spawnThread(S), yieldNow(), recv(EP_RECV_ONLY), call(EPB, msg(0, [1]))];
    const { sc, last } = runFast(events);
    expect(last).toEqual(HIT);
    expect(getTCB(sc.state, ROOT).state._tag).toBe('BlockedOnReply');
  });

  it('a cap found through a second CNode level is looked up by the fastpath', () => {
    const before = runWithOptions(nestedClient()).state;
    expect(before.curThread).toBe(tcbAt(before, T));
    const { sc, last } = runFast([...nestedClient(), call((NEST << 12) | EPB, msg(0, [11]))]);
    expect(last).toEqual(HIT);
    expect(replyOf(sc.state, tcbAt(sc.state, S), bufferPaddr(1))).toEqual({ badge: BADGE, label: 0, length: 1, words: [11] });
  });
});

// ---------------------------------------------------------------- fallbacks

interface FallbackCase {
  readonly name: string;
  readonly reason: FallbackReason;
  readonly events: readonly Event[];
}

const FALLBACK_CASES: readonly FallbackCase[] = [
  // ---- both
  { name: 'Call with five message registers', reason: 'message-too-long', events: [...serverWaiting, call(EPB, msg(0, [1, 2, 3, 4, 5]))] },
  {
    name: 'Call with the raw length 127 (the slow path clamps it to 120)',
    reason: 'message-too-long',
    events: [...serverWaiting, call(EPB, { info: messageInfo(1, 0, 0, 127), mrs: [1] })],
  },
  {
    name: 'ReplyRecv with five message registers',
    reason: 'message-too-long',
    events: [...serverCalled, replyRecv(EP, msg(0, [1, 2, 3, 4, 5]))],
  },
  { name: 'Call with an extra cap', reason: 'extra-caps', events: [...serverWaiting, call(EPB, msg(0, [1], [CNODE]))] },
  { name: 'ReplyRecv with an extra cap', reason: 'extra-caps', events: [...serverCalled, replyRecv(EP, msg(0, [], [CNODE]))] },
  {
    name: 'Call by a thread that still has a fault stored',
    reason: 'thread-has-fault',
    events: [...faultedThreadRunning, call(EPB, msg(0, [1]))],
  },
  {
    name: 'ReplyRecv by a thread that still has a fault stored',
    reason: 'thread-has-fault',
    events: [...faultedThreadRunning, replyRecv(EP)],
  },
  { name: 'Call on a CNode cap', reason: 'cap-not-endpoint', events: [...serverWaiting, CNode.revoke(FREE + 100)] },
  { name: 'Call on an empty slot', reason: 'cap-not-endpoint', events: [...serverWaiting, call(FREE + 100, msg(0, [1]))] },
  { name: 'Call with a guard mismatch', reason: 'cap-not-endpoint', events: [...serverWaiting, call((1 << 20) | EPB, msg(0, [1]))] },
  {
    name: 'Call through a second level that overshoots 32 bits',
    reason: 'cap-not-endpoint',
    events: [...nestedClient(), call((NEST_DEEP << 12) | EPB)],
  },
  { name: 'Call whose walk ends on a CNode cap', reason: 'cap-not-endpoint', events: [...nestedClient(), call((NEST << 12) | NEST)] },
  { name: 'ReplyRecv on a CNode cap', reason: 'cap-not-endpoint', events: [...serverCalled, replyRecv(CNODE)] },
  // ---- Call
  {
    name: 'Call on an endpoint cap without send right',
    reason: 'no-send-right',
    events: [...serverWaiting, call(EP_NO_SEND, msg(0, [1]))],
  },
  { name: 'Call with nobody waiting', reason: 'endpoint-not-receiving', events: [...endpoints, call(EPB, msg(0, [1]))] },
  {
    name: 'Call to a receiver whose VSpace cap was revoked',
    reason: 'dest-vspace-invalid',
    events: [...serverWaiting, CNode.revoke(InitSlot.ThreadVSpace), call(EPB, msg(0, [1]))],
  },
  {
    name: 'Call to a lower-priority receiver while a middle-priority thread is ready',
    reason: 'dest-lower-priority',
    events: [...serverWaiting, TCB.setPriority(S, InitSlot.ThreadTCB, 100), ...spawnThread(R, { prio: 200, buffer: 3 }), call(EPB, msg(0, [1]))],
  },
  {
    name: 'Call on an endpoint cap without grant or grant-reply',
    reason: 'no-grant-right',
    events: [...serverWaiting, call(EP_SEND_ONLY, msg(0, [1]))],
  },
  {
    name: 'Call after the ASID pool was deleted',
    reason: 'dest-asid-invalid',
    events: [...serverWaiting, CNode.delete(InitSlot.ThreadASIDPool), call(EPB, msg(0, [1]))],
  },
  {
    name: 'Call to a receiver in another domain',
    reason: 'dest-other-domain',
    events: [...serverWaiting, DomainSet.set(InitSlot.Domain, 1, S), call(EPB, msg(0, [1]))],
  },
  // ---- ReplyRecv
  {
    name: 'ReplyRecv on an endpoint cap without receive right',
    reason: 'not-receive-right',
    events: [...serverCalled, replyRecv(EP_SEND_ONLY)],
  },
  {
    name: 'ReplyRecv with a signal pending on the bound notification',
    reason: 'bound-notification-active',
    events: [
      ...boundServerCalled,
      send(NTFN), // S signals its own notification: it becomes active
      replyRecv(EP, msg(0, [2])),
    ],
  },
  {
    name: 'ReplyRecv while a sender is queued on the endpoint',
    reason: 'endpoint-has-senders',
    events: [
      ...serverWaiting,
      ...spawnThread(T, { buffer: 2 }),
      call(EPB, msg(0, [1])), // S runs
      yieldNow(), // T runs
      send(EPB, msg(0, [2])), // T blocks sending; S runs
      replyRecv(EP, msg(0, [3])),
    ],
  },
  {
    name: 'ReplyRecv with an empty caller slot (the first ReplyRecv of a server)',
    reason: 'no-reply-cap',
    events: [...endpoints, ...spawnThread(S), yieldNow(), replyRecv(EP)],
  },
  {
    name: 'ReplyRecv to a caller waiting for a fault reply',
    reason: 'caller-has-fault',
    events: [
      ...serverWaiting,
      ...spawnThread(T, { faultEP: EP, buffer: 2 }),
      yieldNow(), // T runs
      { kind: 'exception' }, // T's fault goes to S
      replyRecv(EP),
    ],
  },
  {
    name: 'ReplyRecv to a caller whose VSpace cap was revoked',
    reason: 'caller-vspace-invalid',
    events: [...serverWaiting, CNode.revoke(InitSlot.ThreadVSpace), call(EPB, msg(0, [1])), replyRecv(EP)],
  },
  {
    name: 'ReplyRecv to a caller below a ready thread',
    reason: 'caller-not-highest-priority',
    events: [
      ...serverWaiting,
      ...spawnThread(R, { prio: 200, buffer: 3 }),
      call(EPB, msg(0, [1])), // S runs
      TCB.setPriority(InitSlot.ThreadTCB, S, 100), // S lowers the blocked root task
      replyRecv(EP),
    ],
  },
  {
    name: 'ReplyRecv after the ASID pool was deleted',
    reason: 'caller-asid-invalid',
    events: [...serverWaiting, CNode.delete(InitSlot.ThreadASIDPool), call(EPB, msg(0, [1])), replyRecv(EP)],
  },
  {
    name: 'ReplyRecv to a caller moved to another domain',
    reason: 'caller-other-domain',
    events: [...serverCalled, DomainSet.set(InitSlot.Domain, 1, InitSlot.ThreadTCB), replyRecv(EP)],
  },
];

describe('(c) every fallback reason, each on a trace that still agrees with the spec', () => {
  it.each(FALLBACK_CASES.map((c) => [c.reason, c.name, c] as const))('%s: %s', (reason, _name, c) => {
    const { last } = runFast(c.events);
    expect(last).toEqual(fellBack(reason));
  });

  it('the cases cover every reason', () => {
    const covered = new Set(FALLBACK_CASES.map((c) => c.reason));
    expect(FALLBACK_REASONS.filter((r) => !covered.has(r))).toEqual([]);
  });

  it('each reason belongs to the syscall whose trace meets it', () => {
    for (const c of FALLBACK_CASES) {
      const last = c.events[c.events.length - 1];
      const sysno = last?.kind === 'syscall' ? last.sysno : undefined;
      const list = sysno === SysReplyRecv ? REPLY_RECV_FALLBACK_REASONS : CALL_FALLBACK_REASONS;
      expect(list, c.name).toContain(c.reason);
    }
  });
});

// ---------------------------------------------------------------- lookup_fp

describe('lookup_fp', () => {
  it('finds what the slow lookup finds, and the null cap wherever the slow lookup fails', () => {
    const ls = new LockStep({ fastpath: true });
    for (const e of nestedClient()) expect(ls.step(e)).toBe(true);
    const k = ls.impl;
    const client = tcbAt(ls.spec, T);
    expect(k.ksCurThread).toBe(client);
    const root = getSlotCap(k, slotPtr(client, 0));
    const cptrs: number[] = [0, EPB, (NEST << 12) | EPB, (NEST_DEEP << 12) | EPB, (NEST << 12) | NEST, 0xffffffff, 1 << 20, (1 << 24) | EPB];
    let x = 0x12345678;
    for (let i = 0; i < 2000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      // Mostly small cptrs and cptrs through NEST / NEST_DEEP, sometimes anything.
      const pick = i % 4;
      cptrs.push(pick === 0 ? x : pick === 1 ? x & 0xfff : pick === 2 ? (NEST << 12) | (x & 0xfff) : (NEST_DEEP << 12) | (x & 0xffff));
    }
    for (const cptr of cptrs) {
      const slow = lookupCap(k, client, cptr);
      const fast = lookupFp(k, root, cptr);
      if (slow.status === 0) expect(fast, `cptr 0x${cptr.toString(16)}`).toEqual(slow.cap);
      else expect(capType(fast), `cptr 0x${cptr.toString(16)}`).toBe(CapTag.Null);
    }
    ls.dispose();
  });
});

// ---------------------------------------------------------------- mutants

interface MutantCase {
  readonly mutant: string;
  readonly kind: 'divergence' | 'representation' | 'fastpath-divergence';
  readonly events: readonly Event[];
  /** 'both' when only the slow/fast concrete comparison can see the bug (default: the fastpath on). */
  readonly mode?: 'on' | 'both';
}

const MUTANT_CASES: readonly MutantCase[] = [
  { mutant: 'fastpath-badge-dropped', kind: 'divergence', events: [...serverWaiting, call(EPB, msg(0, [1]))] },
  {
    mutant: 'fastpath-ignores-dest-priority',
    kind: 'divergence',
    events: [...serverWaiting, TCB.setPriority(S, InitSlot.ThreadTCB, 100), ...spawnThread(R, { prio: 200, buffer: 3 }), call(EPB, msg(0, [1]))],
  },
  { mutant: 'fastpath-ignores-dest-domain', kind: 'divergence', events: [...serverWaiting, DomainSet.set(InitSlot.Domain, 1, S), call(EPB, msg(0, [1]))] },
  { mutant: 'fastpath-accepts-extra-caps', kind: 'divergence', events: [...serverWaiting, call(EPB, msg(0, [1], [CNODE]))] },
  {
    mutant: 'fastpath-reply-grant-from-ep',
    kind: 'divergence',
    events: [...endpoints, ...spawnThread(S), yieldNow(), recv(EP_RECV_ONLY), call(EPB, msg(0, [1]))],
  },
  {
    mutant: 'fastpath-dequeue-keeps-prev',
    kind: 'representation',
    events: [...endpoints, ...spawnThread(S), ...spawnThread(S2, { buffer: 2 }), yieldNow(), recv(EP), recv(EP), call(EPB, msg(0, [1]))],
  },
  { mutant: 'fastpath-ignores-receive-right', kind: 'divergence', events: [...serverCalled, replyRecv(EP_SEND_ONLY)] },
  {
    mutant: 'fastpath-ignores-bound-notification',
    kind: 'divergence',
    events: [...boundServerCalled, send(NTFN), replyRecv(EP, msg(0, [2]))],
  },
  { mutant: 'fastpath-reply-cap-kept', kind: 'divergence', events: [...serverCalled, replyRecv(EP, msg(0, [1]))] },
  { mutant: 'fastpath-master-next-kept', kind: 'representation', events: [...serverCalled, replyRecv(EP, msg(0, [1]))] },
  {
    mutant: 'fastpath-reply-node-first-badged',
    kind: 'fastpath-divergence',
    mode: 'both',
    events: [...serverWaiting, call(EPB, msg(0, [1]))],
  },
];

describe('(d) every fastpath mutant is caught by a short trace', () => {
  it('the catalogue and the cases list the same fastpath mutants', () => {
    const catalogue = MUTANTS.filter((m) => m.checker === 'fastpath').map((m) => m.name);
    expect(catalogue.length).toBeGreaterThanOrEqual(6);
    expect([...MUTANT_CASES.map((c) => c.mutant)].sort()).toEqual([...catalogue].sort());
  });

  it.each(MUTANT_CASES.map((c) => [c.mutant, c] as const))('%s', (mutant, c) => {
    const fastpath = c.mode ?? 'on';
    // The correct fastpath agrees with the spec (and with the slow path) on the trace.
    expect(runTrace(c.events, { fastpath: 'both' }).failure).toBeUndefined();
    // The bug lives in the fastpath only: with the fastpath off the mutant kernel agrees too.
    expect(runTrace(c.events, { mutants: [mutant] }).failure).toBeUndefined();
    // With both, the lock step parts at the last event.
    const r = runTrace(c.events, { fastpath, mutants: [mutant] });
    expect(r.failure?.kind).toBe(c.kind);
    expect(r.failure?.step).toBe(c.events.length);
  });
});
