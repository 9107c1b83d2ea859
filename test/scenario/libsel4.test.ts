/**
 * The scenario API read as libsel4 reads: each builder's arguments land where
 * seL4 takes them (checked by what the kernels do with them, not by the words
 * they make), threads are addressed by name, and a scenario fails with the
 * report the command line prints.
 */
import { describe, expect, it } from 'vitest';
import {
  AllRights,
  CNode,
  CanRead,
  CanWrite,
  DomainSet,
  InitSlot,
  ObjectTypeNumber,
  ScenarioError,
  TCB,
  Untyped,
  as,
  call,
  capRights,
  guardData,
  msg,
  recv,
  replyOf,
  rootSlot,
  runScenario,
  signal,
  slot,
  tcbOf,
  thread,
  threadIn,
  wait,
  yieldNow,
} from '../../refinement/scenario';
import { FREE, untypedSlot } from '../helpers/boot';

const UT = untypedSlot(21);
const CNODE = InitSlot.ThreadCNode;
const [EP, NTFN, T, M, M2] = [FREE, FREE + 1, FREE + 2, FREE + 3, FREE + 4];
/** Retype one object of `type` into root slot `at`. */
const make = (type: number, at: number) => Untyped.retype(UT, type, 0, CNODE, 0, 0, at, 1);

describe('refinement/scenario/libsel4: builders in libsel4 argument order', () => {
  it('Untyped.retype(service, type, size_bits, root, node_index, node_depth, node_offset, num_objects)', () => {
    const { state } = runScenario([Untyped.retype(UT, ObjectTypeNumber.Endpoint, 0, CNODE, 0, 0, EP, 2)]);
    expect([rootSlot(state, EP)._tag, rootSlot(state, EP + 1)._tag, rootSlot(state, EP + 2)._tag]).toEqual(['EndpointCap', 'EndpointCap', 'NullCap']);
  });

  it('CNode.mint(dest, src, rights, badge), copy(dest, src, rights), mutate(dest, src, badge), move(dest, src), delete(slot)', () => {
    const mint = runScenario([make(ObjectTypeNumber.Endpoint, EP), CNode.mint(M, EP, CanRead | CanWrite, 7)]).state;
    expect(rootSlot(mint, M)).toMatchObject({ _tag: 'EndpointCap', badge: 7, canSend: true, canReceive: true, canGrant: false, canGrantReply: false });
    const copy = runScenario([make(ObjectTypeNumber.Endpoint, EP), CNode.mint(M, EP, AllRights, 7), CNode.copy(M2, M, capRights(false, true, false, true))]).state;
    expect(rootSlot(copy, M2)).toMatchObject({ badge: 7, canSend: true, canReceive: false, canGrant: true, canGrantReply: false });
    // Mutate moves a cap with new cap data (an endpoint's badge cannot be changed so: a CNode cap's guard can).
    const mutate = runScenario([CNode.copy(M, CNODE, AllRights), CNode.mutate(M2, M, guardData(3, 8))]).state;
    expect([rootSlot(mutate, M2), rootSlot(mutate, M)._tag]).toMatchObject([{ _tag: 'CNodeCap', guard: 3, guardSize: 8 }, 'NullCap']);
    const moved = runScenario([make(ObjectTypeNumber.Endpoint, EP), CNode.move(M, EP), CNode.delete(M)]).state;
    expect([rootSlot(moved, EP)._tag, rootSlot(moved, M)._tag]).toEqual(['NullCap', 'NullCap']);
  });

  it('slot(index, root, depth) names a slot through another CNode cap, and guardData(guard, guardSize) sets its guard', () => {
    const { state } = runScenario([CNode.mint(M, CNODE, AllRights, guardData(5, 10)), CNode.copy(slot(M2, M, 22), EP - 1, AllRights)]);
    expect(rootSlot(state, M)).toMatchObject({ _tag: 'CNodeCap', guard: 5, guardSize: 10 });
    // Through the new cap the root CNode's slots are at guard 5, radix 12: index (5 << 12) | M2 in 22 bits.
    expect(runScenario([CNode.mint(M, CNODE, AllRights, guardData(5, 10)), CNode.copy(slot((5 << 12) | M2, M, 22), EP - 1, AllRights)]).state.caps.size).toBe(state.caps.size + 1);
  });

  it('TCB.setSchedParams(tcb, authority, mcp, priority), setPriority(tcb, authority, priority), DomainSet.set(service, domain, thread)', () => {
    const { state } = runScenario([make(ObjectTypeNumber.TCB, T), TCB.setSchedParams(T, InitSlot.ThreadTCB, 200, 100), DomainSet.set(InitSlot.Domain, 2, T)]);
    expect(tcbOf(state, T)).toMatchObject({ mcp: 200, priority: 100, domain: 2 });
    expect(tcbOf(runScenario([make(ObjectTypeNumber.TCB, T), TCB.setPriority(T, InitSlot.ThreadTCB, 17)]).state, T).priority).toBe(17);
  });

  it('TCB.writeRegisters(tcb, resume_target, arch_flags, count, regs) and readRegisters(tcb, suspend_source, arch_flags, count)', () => {
    const { state } = runScenario([make(ObjectTypeNumber.TCB, T), TCB.writeRegisters(T, false, 0, 2, [0x1234, 0x5678]), TCB.readRegisters(T, false, 0, 2)]);
    expect(tcbOf(state, T).context).toEqual(expect.arrayContaining([0x1234, 0x5678]));
    expect(replyOf(state).words).toEqual([0x1234, 0x5678]);
  });

  it('call(ep, msg(label, mrs)) reaches a receiver with the badge of the cap, and signal/wait carry a notification badge', () => {
    const spawn = [
      make(ObjectTypeNumber.Endpoint, EP),
      CNode.mint(M, EP, AllRights, 0x42),
      make(ObjectTypeNumber.TCB, T),
      TCB.configure(T, 0, CNODE, 0, InitSlot.ThreadVSpace, 0, 0, 0),
      TCB.setSchedParams(T, InitSlot.ThreadTCB, 255, 255),
      TCB.resume(T),
    ];
    const r = runScenario([...spawn, as(thread('T1'), yieldNow()), as(thread('T2'), recv(EP)), as(thread('T1'), call(M, msg(3, [10, 20])))]);
    expect(replyOf(r.state, r.threadOf(thread('T2')))).toEqual({ badge: 0x42, label: 3, length: 2, words: [10, 20] });
    const n = runScenario([make(ObjectTypeNumber.Notification, NTFN), CNode.mint(M, NTFN, AllRights, 0b100), signal(M), wait(NTFN)]);
    expect(replyOf(n.state).badge).toBe(0b100);
  });
});

describe('refinement/scenario/run: steps addressed to threads, failures as reports', () => {
  it('as(T, e) fails clearly, naming the step and who runs, when T is not the current thread', () => {
    const steps = [make(ObjectTypeNumber.TCB, T), TCB.setSchedParams(T, InitSlot.ThreadTCB, 255, 100), TCB.resume(T), as(threadIn(T), yieldNow())];
    expect(() => runScenario(steps)).toThrow(ScenarioError);
    // The error's step is the step that failed, counted from 1 as the message counts.
    expect(() => runScenario(steps)).toThrow(expect.objectContaining({ step: 4 }));
    expect(() => runScenario(steps)).toThrow(/^step 4: as\(threadIn\(\d+\), …\), but T1 \(root task, prio 255, domain 0\) is the current thread; the steps so far:\n +1\. T1/);
    expect(() => runScenario([as(thread('T7'), yieldNow())])).toThrow(/^step 1: as\(T7, …\): no thread is named T7 \(threads now: idle, T1\)$/);
    expect(() => runScenario([as(threadIn(EP), yieldNow())])).toThrow(/^step 1: as\(threadIn\(\d+\), …\): root slot \d+ is empty, not a thread cap$/);
    // Addressed to the right thread, the same steps run.
    const equal = [make(ObjectTypeNumber.TCB, T), TCB.setSchedParams(T, InitSlot.ThreadTCB, 255, 255), TCB.resume(T), as(thread('T1'), yieldNow()), as(threadIn(T), yieldNow())];
    expect(runScenario(equal).outcomes).toHaveLength(5);
  });

  it('a system that fails to boot throws its reason', () => {
    expect(() => runScenario([yieldNow()], { config: { domainSchedule: null as never } })).toThrow(/^the scenario fails at boot:\ncrash at boot: boot threw TypeError: /);
  });

  it('a divergence throws the report the command line prints, and the run stops at that step', () => {
    const steps = [make(ObjectTypeNumber.Endpoint, EP), CNode.mint(M, EP, AllRights, 2), CNode.mint(M2, M, AllRights, 5)];
    let error: unknown;
    try {
      runScenario(steps, { mutants: ['mint-keeps-old-badge'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).step).toBe(3);
    expect((error as Error).message).toMatch(/^the scenario fails at step 3 of 3:\n +1\. T1 \(root task/);
    expect((error as Error).message).toMatch(/divergence after step 3: spec and abstracted impl differ\n.*rootCNode\[\d+\]: spec \(absent\) \| impl EndpointCap\(EP1, badge 2, /);
    expect(() => runScenario(steps)).not.toThrow();
  });
});
