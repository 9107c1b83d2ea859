/**
 * Turning plans into events: each plan becomes one or more steps, each
 * resolved against the spec state at the moment it runs.
 */
import { LABEL, ROOT_TCB_PTR, type SyscallEvent } from '../../spec/api';
import type { KernelState } from '../../spec/model/state';
import { BAD_PERCENT, type Step, at } from './common';
import {
  type ArgLayout,
  NO_ARGS,
  badgeLifecycle,
  cancelBadgedSends,
  copyFamily,
  garbage,
  invokeRandom,
  onEmpty,
  onOccupied,
  retype,
  rotate,
  spoil,
  untypedCycle,
} from './cspaceOps';
import { vspaceOp } from './vspaceOps';
import { badgedSenders, channel, domainOp, fault, faultPair, ipc, isPassive, settle, signalPair, spawn, tcbOp, teardown } from './threadOps';
import { World } from './world';
import { OPS, type Op, type Plan } from './plan';
import { type View, viewOf } from './view';

export type { Step } from './common';

const rawSteps = (plan: Plan, w: World): Step[] => {
  const f = w.focus;
  const n = plan.n;
  const allowVital = plan.bad < 2;
  const single =
    (make: (v: View, s: KernelState) => SyscallEvent | undefined, layout: ArgLayout = { depths: [1], dest: 0 }, spoilable = true): Step =>
    (s) => {
      const e = make(viewOf(s), s);
      if (e === undefined) return undefined;
      return spoilable && plan.bad < BAD_PERCENT ? spoil(e, at(n, 7) + plan.bad, layout) : e;
    };
  switch (plan.op) {
    case 'retype':
      return [single((v) => retype(v, f, n), { depths: [3], dest: 4 })];
    case 'copy':
    case 'mint':
    case 'move':
    case 'mutate': {
      const op = plan.op;
      return [single((v) => copyFamily(v, f, op, n), { depths: [1, 3], dest: 0 })];
    }
    case 'rotate':
      return [single((v) => rotate(v, f, n), { depths: [1, 4, 7], dest: 0 })];
    case 'delete':
      return [single((v) => onOccupied(v, f, LABEL.CNodeDelete, n, allowVital))];
    case 'revoke':
      return [single((v) => onOccupied(v, f, LABEL.CNodeRevoke, n, allowVital))];
    case 'cancelBadgedSends':
      return [single((v, s) => cancelBadgedSends(s, v, f, n))];
    case 'saveCaller':
      return [single((v) => onEmpty(v, LABEL.CNodeSaveCaller, n))];
    case 'invokeRandom':
      return [single((v) => invokeRandom(v, n) ?? garbage(v, n), NO_ARGS, false)];
    case 'garbage':
      return [single((v) => garbage(v, n), NO_ARGS, false)];
    case 'badgeLifecycle':
      return badgeLifecycle(f, n);
    case 'untypedCycle':
      return untypedCycle(f, n);
    case 'spawn':
      return spawn(w, n);
    case 'channel':
      return channel(w, n);
    case 'faultPair':
      return faultPair(w, n);
    case 'ipc': {
      // A burst of one to four IPC steps, each by whichever thread is current then
      // (a Call is answered by the server it wakes, and so on).
      const burst = 1 + (at(n, 6) % 4);
      return Array.from({ length: burst }, (_, i) => ipc(w, i === 0 ? n : n.map((x, j) => (x * (i + 7) + j * 13 + i) & 0xffff)));
    }
    case 'tcbOp':
    case 'domainOp':
    case 'vspaceOp': {
      const make = plan.op === 'tcbOp' ? tcbOp(w, n) : plan.op === 'domainOp' ? domainOp(n) : vspaceOp(n);
      return [
        (s) => {
          const e = make(s);
          return e !== undefined && e.kind === 'syscall' && plan.bad < BAD_PERCENT ? spoil(e, at(n, 7) + plan.bad, NO_ARGS) : e;
        },
      ];
    }
    case 'tick':
      return [() => ({ kind: 'tick' })];
    case 'yield':
      return [() => ({ kind: 'syscall', sysno: -7 })];
    case 'fault':
      return [fault(n)];
    case 'teardown':
      return teardown(n);
    case 'signalPair':
      return signalPair(w, n);
    case 'badgedSenders':
      return badgedSenders(w, n);
    case 'settle':
      // Step back, then let the threads at the new priority have their turn.
      return [settle(), (s) => (s.curThread === ROOT_TCB_PTR ? { kind: 'syscall', sysno: -7 } : undefined)];
  }
};

/**
 * What any thread does: IPC, TCB and domain invocations, ticks, yields and
 * faults, and tearing down objects that others wait on (so blocked IPC gets
 * cancelled often). The rest, operations on CSpace and memory and the setup
 * macros, are the root task's business, which spawned threads mostly leave alone.
 */
const THREAD_OPS: ReadonlySet<Op> = new Set<Op>(['ipc', 'tcbOp', 'domainOp', 'vspaceOp', 'tick', 'yield', 'fault', 'teardown', 'settle']);
/** Macros whose steps say themselves which thread each is for (the others' set-up is the root task's). */
const SELF_GUARDED: ReadonlySet<Op> = new Set<Op>(['badgedSenders']);
const SETUP_OPS: ReadonlySet<Op> = new Set(OPS.filter((op) => !THREAD_OPS.has(op) && !SELF_GUARDED.has(op)));

/**
 * The events a plan stands for, each resolved when its turn comes (none if
 * nothing fits). A thread spawned for a role mostly plays it: a setup plan
 * that lands on such a thread becomes an IPC step instead (always for passive
 * roles, three times in four for the others).
 */
export const planSteps = (plan: Plan, w: World = new World()): Step[] => {
  const steps = rawSteps(plan, w);
  if (!SETUP_OPS.has(plan.op)) return steps;
  const keepsSetup = at(plan.n, 7) % 4 === 0;
  return steps.map((step, i) => (s: KernelState) => {
    const role = w.roles.get(s.curThread);
    // Passive threads (servers, handlers, waiters) run above the rest: they always play their role, or they would starve it.
    if (role === undefined || (keepsSetup && !isPassive(role.kind))) return step(s);
    return i === 0 ? ipc(w, plan.n)(s) : undefined;
  });
};
