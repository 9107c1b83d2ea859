/**
 * The scheduler: 256 priorities, the highest runnable thread runs, round-robin
 * time slices on timer ticks, Yield, the idle thread, who runs after an IPC
 * wakes a thread (seL4's possibleSwitchTo and schedule), and domains with a
 * static schedule, DomainSet and the domain-schedule invocations. Every
 * scenario runs the spec and the concrete kernel in lock step.
 *
 * Threads are spawned by the root task (priority 255) and share its CSpace, so
 * any thread can name any other by its root slot. A spawned thread is resumed
 * with `restart`, which puts it at the head of its queue: of threads of equal
 * priority, the one spawned last is first in line.
 */
import { describe, expect, it } from 'vitest';
import { type BootConfig, DSCHED_MAX_DURATION, type Event, InitSlot, NEXT_IP, TIME_SLICE, tickEvent } from '../../../spec/api';
import { getTCB } from '../../../spec/model/heap';
import type { KernelState } from '../../../spec/model/state';
import { CNODE, FREE, ObjType } from '../../helpers/boot';
import { DomainSet, TCB, call, invoke, msg, nbSend, recv, reply, replyRecv, send, yieldNow } from '../../../refinement/scenario';
import { ROOT, replyOf, run, runWith } from '../../helpers/scenario';
import { retypeInto, spawnThread, tcbAt, tcbOf } from '../../helpers/threads';

const EP = FREE;
const EP2 = FREE + 1;
const EP3 = FREE + 2;
const NTFN = FREE + 3;
const TA = FREE + 10;
const TB = FREE + 11;
const TC = FREE + 12;
const TD = FREE + 13;
const TE = FREE + 14;

const ticks = (n: number): Event[] => Array.from({ length: n }, () => tickEvent);
const suspendRoot = TCB.suspend(InitSlot.ThreadTCB);
const endpoints = [retypeInto(ObjType.Endpoint, EP, 3)];

/** The ready queue of (domain, priority), as thread pointers. */
const queue = (s: KernelState, prio: number, domain = 0): readonly number[] => s.readyQueues.get(domain * 256 + prio) ?? [];
const at = (s: KernelState, slot: number) => tcbAt(s, slot);
const stateOf = (s: KernelState, slot: number) => tcbOf(s, slot).state._tag;

describe('spec/kernel/thread: the scheduler', () => {
  describe('priorities', () => {
    it('runs the highest-priority runnable thread, then the next as each stops', () => {
      const setup = [...spawnThread(TA, { prio: 10 }), ...spawnThread(TB, { prio: 50 }), ...spawnThread(TC, { prio: 30 })];
      const s0 = run(setup).state;
      // The root task (255) keeps running; the others wait in their queues.
      expect(s0.curThread).toBe(ROOT);
      expect([queue(s0, 10), queue(s0, 30), queue(s0, 50)]).toEqual([[at(s0, TA)], [at(s0, TC)], [at(s0, TB)]]);
      const s1 = run([...setup, suspendRoot]).state;
      expect(s1.curThread).toBe(at(s1, TB));
      expect(queue(s1, 50)).toEqual([]);
      const s2 = run([...setup, suspendRoot, TCB.suspend(TB)]).state;
      expect(s2.curThread).toBe(at(s2, TC));
      const s3 = run([...setup, suspendRoot, TCB.suspend(TB), TCB.suspend(TC)]).state;
      expect(s3.curThread).toBe(at(s3, TA));
    });

    it('uses all 256 priorities, including the bitmap word boundaries 31/32 and 0/255', () => {
      const prios = [0, 31, 32, 255, 1, 254];
      const slots = [TA, TB, TC, TD, TE, TE + 1];
      const setup = prios.flatMap((p, i) => spawnThread(slots[i] ?? 0, { prio: p }));
      // Each thread, once it runs, suspends itself; the order is by priority.
      const order: number[] = [];
      let events: Event[] = [...setup, suspendRoot];
      for (let i = 0; i < prios.length; i++) {
        const s = run(events).state;
        const idx = slots.findIndex((sl) => at(s, sl) === s.curThread);
        expect(idx).toBeGreaterThanOrEqual(0);
        order.push(prios[idx] ?? -1);
        events = [...events, TCB.suspend(slots[idx] ?? 0)];
      }
      expect(order).toEqual([255, 254, 32, 31, 1, 0]);
      const last = run(events).state;
      expect(last.curThread).toBe(last.idleThread);
    });

    it('a thread raised above the current one runs at once; lowering the current one yields to a higher ready one', () => {
      const setup = [...spawnThread(TA, { prio: 100 }), ...spawnThread(TB, { prio: 120 })];
      const lowered = run([...setup, TCB.setPriority(InitSlot.ThreadTCB, InitSlot.ThreadTCB, 110)]).state;
      expect(lowered.curThread).toBe(at(lowered, TB));
      expect(queue(lowered, 110)).toEqual([ROOT]);
      const raised = run([...setup, TCB.setPriority(InitSlot.ThreadTCB, InitSlot.ThreadTCB, 110), TCB.suspend(TB), TCB.setPriority(TA, InitSlot.ThreadTCB, 111)]).state;
      // The root task (110) raised A to 111: A preempts it.
      expect(raised.curThread).toBe(at(raised, TA));
    });
  });

  describe('time slices', () => {
    // Two threads at priority 100; B was spawned last, so B runs first.
    const pair = [...spawnThread(TA, { prio: 100 }), ...spawnThread(TB, { prio: 100 }), suspendRoot];

    it('counts ticks down from the configured time slice without switching', () => {
      const s0 = run(pair).state;
      expect(s0.curThread).toBe(at(s0, TB));
      expect(tcbOf(s0, TB).timeSlice).toBe(TIME_SLICE);
      const s1 = run([...pair, ...ticks(TIME_SLICE - 1)]).state;
      expect(s1.curThread).toBe(at(s1, TB));
      expect(tcbOf(s1, TB).timeSlice).toBe(1);
      expect(queue(s1, 100)).toEqual([at(s1, TA)]);
    });

    it('at the end of the slice moves the thread to the tail of its queue with a fresh slice', () => {
      const { state } = run([...pair, ...ticks(TIME_SLICE)]);
      expect(state.curThread).toBe(at(state, TA));
      expect(queue(state, 100)).toEqual([at(state, TB)]);
      expect(tcbOf(state, TB).timeSlice).toBe(TIME_SLICE);
      expect(stateOf(state, TB)).toBe('Running');
    });

    it('rotates round-robin among three equal threads', () => {
      const three = [...spawnThread(TA, { prio: 100 }), ...spawnThread(TB, { prio: 100 }), ...spawnThread(TC, { prio: 100 }), suspendRoot];
      const s0 = run(three).state;
      const seen: number[] = [s0.curThread];
      for (let k = 1; k <= 4; k++) seen.push(run([...three, ...ticks(k * TIME_SLICE)]).state.curThread);
      expect(seen).toEqual([at(s0, TC), at(s0, TB), at(s0, TA), at(s0, TC), at(s0, TB)]);
    });

    it('a lone thread at the highest priority keeps running after its slice ends', () => {
      const { state } = run([...spawnThread(TA, { prio: 100 }), ...spawnThread(TB, { prio: 50 }), suspendRoot, ...ticks(2 * TIME_SLICE + 1)]);
      expect(state.curThread).toBe(at(state, TA));
      expect(tcbOf(state, TA).timeSlice).toBe(TIME_SLICE - 1);
      expect(queue(state, 50)).toEqual([at(state, TB)]);
    });

    it('a thread keeps its partly used slice while it is blocked', () => {
      // B uses 2 ticks, blocks on EP; A runs a full slice worth of ticks... then wakes B.
      const events = [...endpoints, ...pair, ...ticks(2), recv(EP)];
      const s0 = run(events).state;
      expect(s0.curThread).toBe(at(s0, TA));
      expect(tcbOf(s0, TB).timeSlice).toBe(TIME_SLICE - 2);
      const { state } = run([...events, send(EP), TCB.suspend(TA)]);
      expect(state.curThread).toBe(at(state, TB));
      expect(tcbOf(state, TB).timeSlice).toBe(TIME_SLICE - 2);
    });

    it('ticks while the idle thread runs change no thread', () => {
      const s0 = run([suspendRoot]).state;
      const { state } = run([suspendRoot, ...ticks(7)]);
      expect(state.curThread).toBe(state.idleThread);
      expect(getTCB(state, ROOT)).toEqual(getTCB(s0, ROOT));
      expect(state.readyQueues.size).toBe(0);
    });
  });

  describe('Yield', () => {
    const pair = [...spawnThread(TA, { prio: 100 }), ...spawnThread(TB, { prio: 100 }), suspendRoot];

    it('moves the current thread behind the others of its priority', () => {
      const { state } = run([...pair, yieldNow()]);
      expect(state.curThread).toBe(at(state, TA));
      expect(queue(state, 100)).toEqual([at(state, TB)]);
      expect(stateOf(state, TB)).toBe('Running');
      // The yielding thread continues after its svc when it runs again.
      const back = run([...pair, yieldNow(), yieldNow()]).state;
      expect(back.curThread).toBe(at(back, TB));
      expect(tcbOf(back, TB).context[NEXT_IP]).toBe(4);
    });

    it('does not reset the time slice', () => {
      const { state } = run([...pair, ...ticks(2), yieldNow(), yieldNow()]);
      expect(state.curThread).toBe(at(state, TB));
      expect(tcbOf(state, TB).timeSlice).toBe(TIME_SLICE - 2);
      // ...so B's slice now ends after three more ticks, not five.
      const s1 = run([...pair, ...ticks(2), yieldNow(), yieldNow(), ...ticks(TIME_SLICE - 3)]).state;
      expect(s1.curThread).toBe(at(s1, TB));
      const s2 = run([...pair, ...ticks(2), yieldNow(), yieldNow(), ...ticks(TIME_SLICE - 2)]).state;
      expect(s2.curThread).toBe(at(s2, TA));
    });

    it('lets the yielding thread run on when no other thread has its priority', () => {
      const { state } = run([...spawnThread(TA, { prio: 100 }), ...spawnThread(TB, { prio: 99 }), suspendRoot, yieldNow()]);
      expect(state.curThread).toBe(at(state, TA));
      expect(queue(state, 100)).toEqual([]);
      expect(queue(state, 99)).toEqual([at(state, TB)]);
      // The root task alone: Yield changes nothing but the PC.
      const alone = run([yieldNow(), yieldNow()]).state;
      expect(alone.curThread).toBe(ROOT);
      expect(alone.readyQueues.size).toBe(0);
    });
  });

  describe('the idle thread', () => {
    it('runs when nothing is runnable, and syscall events then do nothing', () => {
      const s0 = run([...endpoints, ...spawnThread(TA, { prio: 100 }), suspendRoot, recv(EP)]).state;
      expect(s0.curThread).toBe(s0.idleThread);
      expect(stateOf(s0, TA)).toBe('BlockedOnReceive');
      const { state } = run([...endpoints, ...spawnThread(TA, { prio: 100 }), suspendRoot, recv(EP), send(EP), yieldNow(), { kind: 'exception' }]);
      expect(state.curThread).toBe(state.idleThread);
      expect(stateOf(state, TA)).toBe('BlockedOnReceive');
      expect(state.objects).toEqual(s0.objects);
    });
  });

  describe('who runs after an IPC wakes a thread', () => {
    it('a Send to a waiting higher-priority receiver switches to it; the sender goes to the head of its queue', () => {
      // R (150) waits on EP; then S and X (100) are ready, S first in line.
      const setup = [...endpoints, ...spawnThread(TC, { prio: 100 }), ...spawnThread(TB, { prio: 100 }), ...spawnThread(TA, { prio: 150 }), suspendRoot, recv(EP)];
      const s0 = run(setup).state;
      expect(s0.curThread).toBe(at(s0, TB));
      const { state } = run([...setup, send(EP, msg(0, [7]))]);
      expect(state.curThread).toBe(at(state, TA));
      expect(queue(state, 100)).toEqual([at(state, TB), at(state, TC)]);
      expect(replyOf(state, at(state, TA)).words).toEqual([7]);
    });

    it('a Send to a waiting receiver of equal priority keeps the sender running and queues the receiver at the tail', () => {
      // R, S and X all at 100. R runs first and waits, then S runs with X ready.
      const setup = [...endpoints, ...spawnThread(TC, { prio: 100 }), ...spawnThread(TB, { prio: 100 }), ...spawnThread(TA, { prio: 100 }), suspendRoot, recv(EP)];
      const s0 = run(setup).state;
      expect(s0.curThread).toBe(at(s0, TB));
      const { state } = run([...setup, send(EP)]);
      expect(state.curThread).toBe(at(state, TB));
      expect(queue(state, 100)).toEqual([at(state, TC), at(state, TA)]);
      const after = run([...setup, send(EP), yieldNow()]).state;
      expect(after.curThread).toBe(at(after, TC));
    });

    it('a Send to a waiting lower-priority receiver keeps the sender running and queues the receiver at the head', () => {
      // S (100) waits on EP2 first; R (50) waits on EP; X (50) wakes S and stays ready.
      const setup = [
        ...endpoints,
        ...spawnThread(TC, { prio: 50 }), // X
        ...spawnThread(TB, { prio: 50 }), // R
        ...spawnThread(TA, { prio: 100 }), // S
        suspendRoot,
        recv(EP2), // S waits
        recv(EP), // R waits
        send(EP2), // X wakes S, which preempts X
      ];
      const s0 = run(setup).state;
      expect(s0.curThread).toBe(at(s0, TA));
      expect(queue(s0, 50)).toEqual([at(s0, TC)]);
      const { state } = run([...setup, send(EP)]);
      expect(state.curThread).toBe(at(state, TA));
      expect(queue(state, 50)).toEqual([at(state, TB), at(state, TC)]);
      const after = run([...setup, send(EP), recv(EP2)]).state;
      expect(after.curThread).toBe(at(after, TB));
    });

    it('an NBSend wakes a waiting receiver just as a Send does', () => {
      const setup = [...endpoints, ...spawnThread(TB, { prio: 100 }), ...spawnThread(TA, { prio: 150 }), suspendRoot, recv(EP)];
      const { state } = run([...setup, nbSend(EP)]);
      expect(state.curThread).toBe(at(state, TA));
      expect(queue(state, 100)).toEqual([at(state, TB)]);
    });

    describe('Call to a waiting server of lower priority', () => {
      // C (150), M (100), Srv (50) each wait on their endpoint; the root task (lowered to 1) drives.
      const setup = [
        ...endpoints,
        ...spawnThread(TC, { prio: 50 }), // Srv
        ...spawnThread(TB, { prio: 100 }), // M
        ...spawnThread(TA, { prio: 150 }), // C
        TCB.setPriority(InitSlot.ThreadTCB, InitSlot.ThreadTCB, 1),
        recv(EP2), // C
        recv(EP3), // M
        recv(EP), // Srv
      ];
      it('switches to the server when no ready thread is above it', () => {
        const s0 = run(setup).state;
        expect(s0.curThread).toBe(ROOT);
        const { state } = run([...setup, send(EP2), call(EP, msg(0, [3]))]);
        expect(stateOf(state, TA)).toBe('BlockedOnReply');
        expect(state.curThread).toBe(at(state, TC));
        expect(queue(state, 1)).toEqual([ROOT]);
      });
      it('lets a ready thread between the two run first; the server waits at the head of its queue', () => {
        // The root task wakes M; M wakes C (preempting M); C calls the server.
        const { state } = run([...setup, send(EP3), send(EP2), call(EP, msg(0, [3]))]);
        expect(state.curThread).toBe(at(state, TB));
        expect(stateOf(state, TC)).toBe('Running');
        expect(queue(state, 50)).toEqual([at(state, TC)]);
      });
    });

    describe('Reply', () => {
      // Client and server both ready to talk: Srv waits on EP, the client calls it.
      const talk = (client: number, server: number, extra: Event[] = []) => [
        ...endpoints,
        ...extra,
        ...spawnThread(TB, { prio: client }),
        ...spawnThread(TA, { prio: server }),
        TCB.setPriority(InitSlot.ThreadTCB, InitSlot.ThreadTCB, 1),
        recv(EP), // the server waits (it has the higher or equal priority, or runs first)
      ];

      it('to a lower-priority caller: the replier runs on, the caller is queued', () => {
        const setup = [...talk(100, 200), call(EP)];
        const s0 = run(setup).state;
        expect(s0.curThread).toBe(at(s0, TA));
        const { state } = run([...setup, reply(msg(0, [9]))]);
        expect(state.curThread).toBe(at(state, TA));
        expect(stateOf(state, TB)).toBe('Running');
        expect(queue(state, 100)).toEqual([at(state, TB)]);
        expect(replyOf(state, at(state, TB)).words).toEqual([9]);
      });

      it('to a higher-priority caller: the caller runs at once, the replier goes to the head of its queue', () => {
        // The server (100) waits first; the client (200) is woken by the root task and calls.
        const setup = [
          ...endpoints,
          ...spawnThread(TD, { prio: 100 }), // another thread at the server's priority
          ...spawnThread(TA, { prio: 100 }), // the server
          ...spawnThread(TB, { prio: 200 }), // the client
          TCB.setPriority(InitSlot.ThreadTCB, InitSlot.ThreadTCB, 1),
          recv(EP2), // the client waits to be woken
          recv(EP), // the server waits (it was ahead of D)
          recv(EP3), // D waits
          send(EP2), // the root task wakes the client
          call(EP), // the client calls the server, which runs
        ];
        const s0 = run(setup).state;
        expect(s0.curThread).toBe(at(s0, TA));
        const { state } = run([...setup, send(EP3), reply()]);
        // D was woken by the server at equal priority (queued at the tail); then the reply preempts the server.
        expect(state.curThread).toBe(at(state, TB));
        expect(queue(state, 100)).toEqual([at(state, TA), at(state, TD)]);
      });

      it('to a caller of equal priority: the replier runs on and the caller goes to the tail', () => {
        const setup = [...talk(100, 100, spawnThread(TC, { prio: 100 })), call(EP)];
        const s0 = run(setup).state;
        // The server ran first, waited; then the client (next in line) called; C is still queued.
        expect(s0.curThread).toBe(at(s0, TA));
        const { state } = run([...setup, reply()]);
        expect(state.curThread).toBe(at(state, TA));
        expect(queue(state, 100)).toEqual([at(state, TC), at(state, TB)]);
      });
    });

    describe('ReplyRecv', () => {
      it('switches to the caller when it is the highest ready thread', () => {
        const setup = [
          ...endpoints,
          ...spawnThread(TC, { prio: 120 }), // M, ready below the client
          ...spawnThread(TB, { prio: 150 }), // the client
          ...spawnThread(TA, { prio: 200 }), // the server
          TCB.setPriority(InitSlot.ThreadTCB, InitSlot.ThreadTCB, 1),
          recv(EP), // server waits
          call(EP), // client calls; server runs
        ];
        const { state } = run([...setup, replyRecv(EP)]);
        expect(stateOf(state, TA)).toBe('BlockedOnReceive');
        expect(state.curThread).toBe(at(state, TB));
        expect(queue(state, 120)).toEqual([at(state, TC)]);
      });

      it('runs a ready thread above the caller first', () => {
        const setup = [
          ...endpoints,
          ...spawnThread(TC, { prio: 180 }), // X, above the client
          ...spawnThread(TB, { prio: 150 }), // the client
          ...spawnThread(TA, { prio: 200 }), // the server
          TCB.setPriority(InitSlot.ThreadTCB, InitSlot.ThreadTCB, 1),
          recv(EP), // server waits
          recv(EP2), // X waits
          call(EP), // client calls; server runs
          send(EP2), // server wakes X (below it: queued)
        ];
        const s0 = run(setup).state;
        expect(s0.curThread).toBe(at(s0, TA));
        expect(queue(s0, 180)).toEqual([at(s0, TC)]);
        const { state } = run([...setup, replyRecv(EP)]);
        expect(state.curThread).toBe(at(state, TC));
        expect(queue(state, 150)).toEqual([at(state, TB)]);
      });

      it('with two threads woken in one entry, both are queued at their heads and the best runs', () => {
        // The server (100) holds a reply to C (50) and finds S (50) queued to send on EP.
        const setup = [
          ...endpoints,
          retypeInto(ObjType.Notification, NTFN),
          ...spawnThread(TC, { prio: 50 }), // S
          ...spawnThread(TB, { prio: 50 }), // C
          ...spawnThread(TA, { prio: 100 }), // the server
          TCB.setPriority(InitSlot.ThreadTCB, InitSlot.ThreadTCB, 1),
          recv(EP), // server waits
          call(EP), // C calls; the server runs
          recv(NTFN), // the server waits on a notification, keeping its reply cap
          send(EP, msg(0, [5])), // S queues on EP
          send(NTFN), // the root task wakes the server
        ];
        const s0 = run(setup).state;
        expect(s0.curThread).toBe(at(s0, TA));
        expect(stateOf(s0, TC)).toBe('BlockedOnSend');
        const { state } = run([...setup, replyRecv(EP)]);
        // The server received S's message and runs on; C then S were woken, S queued last at the head.
        expect(state.curThread).toBe(at(state, TA));
        expect(replyOf(state, at(state, TA)).words).toEqual([5]);
        expect(queue(state, 50)).toEqual([at(state, TC), at(state, TB)]);
        const after = run([...setup, replyRecv(EP), recv(EP)]).state;
        expect(after.curThread).toBe(at(after, TC));
      });
    });

    it('a Signal wakes a waiting higher-priority thread at once and a lower one into its queue', () => {
      const setup = (prio: number) => [
        retypeInto(ObjType.Notification, NTFN),
        ...spawnThread(TB, { prio: 100 }),
        ...spawnThread(TA, { prio }),
        TCB.setPriority(InitSlot.ThreadTCB, InitSlot.ThreadTCB, 1),
        ...(prio > 100 ? [recv(NTFN)] : [TCB.suspend(TB), recv(NTFN), TCB.resume(TB)]),
      ];
      const high = run([...setup(150), send(NTFN)]).state;
      expect(high.curThread).toBe(at(high, TA));
      expect(queue(high, 100)).toEqual([at(high, TB)]);
      const low = run([...setup(50), send(NTFN)]).state;
      expect(low.curThread).toBe(at(low, TB));
      expect(queue(low, 50)).toEqual([at(low, TA)]);
    });
  });
});

// ---------------------------------------------------------------- domains

/** Domain 0 for three ticks, then domain 1 for two, then round again. */
const TWO_DOMAINS: BootConfig = {
  domainSchedule: [
    { domain: 0, length: 3n },
    { domain: 1, length: 2n },
  ],
};
const DOMAIN_INFO = { label: 0, words: [] as number[] };

describe('spec/kernel/thread: domains', () => {
  it('with the default schedule stays in domain 0 and counts its time down by one per tick', () => {
    const { state } = run(ticks(3));
    expect(state.curDomain).toBe(0);
    expect(state.domainTime).toBe(DSCHED_MAX_DURATION - 3n);
    expect(state.curThread).toBe(ROOT);
  });

  it('boots in the first domain of the schedule with its full time', () => {
    const { state } = runWith(TWO_DOMAINS, []);
    expect([state.curDomain, state.domainTime, state.domainScheduleIdx]).toEqual([0, 3n, 0]);
    expect(getTCB(state, ROOT).domain).toBe(state.curDomain);
  });

  // D (priority 255, like the root task) lives in domain 1.
  const withD = [...spawnThread(TA, { prio: 255, suspended: true }), DomainSet.set(InitSlot.Domain, 1, TA), TCB.resume(TA)];

  it("DomainSet moves a thread to the other domain's queues, where it does not compete", () => {
    const { state } = runWith(TWO_DOMAINS, [...withD, yieldNow()]);
    expect(tcbOf(state, TA).domain).toBe(1);
    expect(queue(state, 255, 1)).toEqual([at(state, TA)]);
    expect(queue(state, 255, 0)).toEqual([]);
    // The root task yielded, but D is in another domain: the root task runs on.
    expect(state.curThread).toBe(ROOT);
    expect(replyOf(state)).toMatchObject({ label: 0 });
  });

  it("switches domain when the domain's ticks run out, and wraps around at the end of the schedule", () => {
    const s1 = runWith(TWO_DOMAINS, [...withD, ...ticks(2)]).state;
    expect([s1.curDomain, s1.domainTime, s1.curThread]).toEqual([0, 1n, ROOT]);
    const s2 = runWith(TWO_DOMAINS, [...withD, ...ticks(3)]).state;
    expect([s2.curDomain, s2.domainTime, s2.domainScheduleIdx]).toEqual([1, 2n, 1]);
    expect(s2.curThread).toBe(at(s2, TA));
    // The root task waits at the head of its queue in domain 0, its slice partly used.
    expect(queue(s2, 255, 0)).toEqual([ROOT]);
    expect(getTCB(s2, ROOT).timeSlice).toBe(TIME_SLICE - 3);
    const s3 = runWith(TWO_DOMAINS, [...withD, ...ticks(5)]).state;
    expect([s3.curDomain, s3.domainTime, s3.domainScheduleIdx]).toEqual([0, 3n, 0]);
    expect(s3.curThread).toBe(ROOT);
    expect(getTCB(s3, ROOT).timeSlice).toBe(TIME_SLICE - 3);
    expect(tcbOf(s3, TA).timeSlice).toBe(TIME_SLICE - 2);
  });

  it('runs the idle thread in a domain with nothing runnable', () => {
    const s1 = runWith(TWO_DOMAINS, ticks(3)).state;
    expect(s1.curDomain).toBe(1);
    expect(s1.curThread).toBe(s1.idleThread);
    const s2 = runWith(TWO_DOMAINS, ticks(5)).state;
    expect(s2.curThread).toBe(ROOT);
  });

  it('a thread that moves itself to another domain stops running until that domain comes', () => {
    const events = [...spawnThread(TB, { prio: 10 }), DomainSet.set(InitSlot.Domain, 1, InitSlot.ThreadTCB)];
    const s0 = runWith(TWO_DOMAINS, events).state;
    expect(getTCB(s0, ROOT).domain).toBe(1);
    expect(s0.curThread).toBe(at(s0, TB));
    expect(queue(s0, 255, 1)).toEqual([ROOT]);
    const s1 = runWith(TWO_DOMAINS, [...events, ...ticks(3)]).state;
    expect(s1.curThread).toBe(ROOT);
    // Its Call completed: the reply is label 0, no words.
    expect(replyOf(s1)).toMatchObject(DOMAIN_INFO);
  });

  it('wakes a thread of another domain without switching to it, even above the current priority', () => {
    // D (255) waits on EP in domain 0 and is then moved to domain 1; the root task (now 100) sends.
    const events = (dom: number) => [
      ...endpoints,
      TCB.setPriority(InitSlot.ThreadTCB, InitSlot.ThreadTCB, 100),
      ...spawnThread(TA, { prio: 255 }),
      recv(EP), // D runs first (255) and waits
      DomainSet.set(InitSlot.Domain, dom, TA),
      send(EP),
    ];
    const cross = runWith(TWO_DOMAINS, events(1)).state;
    expect(cross.curThread).toBe(ROOT);
    expect(stateOf(cross, TA)).toBe('Running');
    expect(queue(cross, 255, 1)).toEqual([at(cross, TA)]);
    // The control: in the same domain the woken thread preempts the sender.
    const same = runWith(TWO_DOMAINS, events(0)).state;
    expect(same.curThread).toBe(at(same, TA));
  });

  it('moving a blocked thread changes only its domain: it joins no ready queue', () => {
    const events = [...endpoints, ...spawnThread(TA, { prio: 255 }), TCB.setPriority(InitSlot.ThreadTCB, InitSlot.ThreadTCB, 100), recv(EP), DomainSet.set(InitSlot.Domain, 3, TA)];
    const { state } = runWith(TWO_DOMAINS, events);
    expect(tcbOf(state, TA)).toMatchObject({ domain: 3, state: { _tag: 'BlockedOnReceive' } });
    expect(state.readyQueues.size).toBe(0);
  });

  it('a thread created while domain 1 runs belongs to domain 1', () => {
    // The root task moves itself to domain 1, runs there after three ticks, and retypes a TCB.
    const { state } = runWith(TWO_DOMAINS, [DomainSet.set(InitSlot.Domain, 1, InitSlot.ThreadTCB), ...ticks(3), retypeInto(ObjType.TCB, TB)]);
    expect(state.curDomain).toBe(1);
    expect(state.curThread).toBe(ROOT);
    expect(tcbOf(state, TB).domain).toBe(1);
  });

  describe('DomainSet errors', () => {
    const cases: Array<[string, Event, { label: number; words: number[] }]> = [
      ['no message words is TruncatedMessage', invoke(InitSlot.Domain, 'DomainSetSet', [], [TA]), { label: 7, words: [] }],
      ['domain 16 is InvalidArgument 0', DomainSet.set(InitSlot.Domain, 16, TA), { label: 1, words: [0] }],
      ['a huge domain is InvalidArgument 0, checked before the missing cap', invoke(InitSlot.Domain, 'DomainSetSet', [0xffff_ffff]), { label: 1, words: [0] }],
      ['no thread cap is TruncatedMessage', invoke(InitSlot.Domain, 'DomainSetSet', [1]), { label: 7, words: [] }],
      ['a cap that is not a thread cap is InvalidArgument 1', DomainSet.set(InitSlot.Domain, 1, CNODE), { label: 1, words: [1] }],
      ['another label is IllegalOperation', invoke(InitSlot.Domain, 'CNodeCopy', [1], [TA]), { label: 3, words: [] }],
    ];
    it.each(cases)('%s', (_n, event, expected) => {
      const { state } = runWith(TWO_DOMAINS, [...spawnThread(TA, { prio: 100 }), event]);
      expect(replyOf(state)).toMatchObject(expected);
      expect(tcbOf(state, TA).domain).toBe(0);
      expect(queue(state, 100, 0)).toEqual([at(state, TA)]);
    });
    it('domain 15, the last one, is accepted', () => {
      const { state } = runWith(TWO_DOMAINS, [...spawnThread(TA, { prio: 100 }), DomainSet.set(InitSlot.Domain, 15, TA)]);
      expect(replyOf(state)).toMatchObject({ label: 0 });
      expect(queue(state, 100, 15)).toEqual([at(state, TA)]);
    });
  });

  describe('editing the domain schedule', () => {
    it('Configure writes an entry; SetStart ends the current domain and jumps to the new start', () => {
      const s0 = runWith(TWO_DOMAINS, [DomainSet.scheduleConfigure(InitSlot.Domain, 2, 4, 6n)]).state;
      expect(s0.domainSchedule[2]).toEqual({ domain: 4, length: 6n });
      expect(replyOf(s0)).toMatchObject({ label: 0 });
      const { state } = runWith(TWO_DOMAINS, [DomainSet.scheduleConfigure(InitSlot.Domain, 2, 4, 6n), DomainSet.scheduleSetStart(InitSlot.Domain, 1)]);
      expect([state.curDomain, state.domainTime, state.domainScheduleIdx, state.domainScheduleStart]).toEqual([1, 2n, 1, 1]);
      expect(state.curThread).toBe(state.idleThread);
      // The schedule now runs 1, 4 and wraps to its start, entry 1: domain 0 never returns.
      const later = runWith(TWO_DOMAINS, [DomainSet.scheduleConfigure(InitSlot.Domain, 2, 4, 6n), DomainSet.scheduleSetStart(InitSlot.Domain, 1), ...ticks(2 + 6)]).state;
      expect([later.curDomain, later.domainScheduleIdx]).toEqual([1, 1]);
      const mid = runWith(TWO_DOMAINS, [DomainSet.scheduleConfigure(InitSlot.Domain, 2, 4, 6n), DomainSet.scheduleSetStart(InitSlot.Domain, 1), ...ticks(2)]).state;
      expect([mid.curDomain, mid.domainTime]).toEqual([4, 6n]);
    });

    it('a duration takes its high word from the fourth argument', () => {
      const { state } = runWith(TWO_DOMAINS, [DomainSet.scheduleConfigure(InitSlot.Domain, 3, 2, 0xff_ffff_0000_0005n)]);
      expect(state.domainSchedule[3]).toEqual({ domain: 2, length: (0x00ff_ffffn << 32n) | 5n });
    });

    const errors: Array<[string, Event, { label: number; words: number[] }]> = [
      ['Configure with three words is TruncatedMessage', invoke(InitSlot.Domain, 'DomainScheduleConfigure', [1, 1, 1]), { label: 7, words: [] }],
      ['Configure of the last entry is RangeError 0..98', DomainSet.scheduleConfigure(InitSlot.Domain, 99, 1, 1n), { label: 4, words: [0, 98] }],
      ['Configure with domain 16 is RangeError 0..15', DomainSet.scheduleConfigure(InitSlot.Domain, 1, 16, 1n), { label: 4, words: [0, 15] }],
      ['Configure with a duration of 2^56 is InvalidArgument 2', DomainSet.scheduleConfigure(InitSlot.Domain, 1, 1, 1n << 56n), { label: 1, words: [2] }],
      ['Configure with duration 0 and domain 1 is InvalidArgument 1', DomainSet.scheduleConfigure(InitSlot.Domain, 1, 1, 0n), { label: 1, words: [1] }],
      ['Configure of the start entry with duration 0 is InvalidArgument 2', DomainSet.scheduleConfigure(InitSlot.Domain, 0, 0, 0n), { label: 1, words: [2] }],
      ['SetStart with no words is TruncatedMessage', invoke(InitSlot.Domain, 'DomainScheduleSetStart', []), { label: 7, words: [] }],
      ['SetStart at 100 is RangeError 0..99', DomainSet.scheduleSetStart(InitSlot.Domain, 100), { label: 4, words: [0, 99] }],
      ['SetStart at an end marker is InvalidArgument 0', DomainSet.scheduleSetStart(InitSlot.Domain, 5), { label: 1, words: [0] }],
    ];
    it.each(errors)('%s', (_n, event, expected) => {
      const { state } = runWith(TWO_DOMAINS, [event]);
      expect(replyOf(state)).toMatchObject(expected);
      expect(state.domainSchedule.slice(0, 3)).toEqual([
        { domain: 0, length: 3n },
        { domain: 1, length: 2n },
        { domain: 0, length: 0n },
      ]);
      expect([state.curDomain, state.domainScheduleStart]).toEqual([0, 0]);
    });

    it('an end marker written with Configure ends the round early', () => {
      const { state } = runWith(TWO_DOMAINS, [DomainSet.scheduleConfigure(InitSlot.Domain, 1, 0, 0n), ...ticks(3)]);
      expect([state.curDomain, state.domainTime, state.domainScheduleIdx]).toEqual([0, 3n, 0]);
      expect(state.curThread).toBe(ROOT);
    });
  });
});
