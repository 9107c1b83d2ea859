/**
 * Scenario helpers: build syscall events, run them through both kernels in
 * lock step (so every scenario is also a refinement check), and read what
 * the calling thread got back.
 */
import { expect } from 'vitest';
import {
  type BootConfig,
  type Event,
  IPCBUF_WORDS,
  LABEL,
  type InvocationLabel,
  MSG_REGISTERS,
  ROOT_CNODE_PTR,
  ROOT_IPC_BUFFER_PTR,
  ROOT_TCB_PTR,
  SysCall,
  messageInfoFromWord,
  invocationEvent,
} from '../../spec/api';
import { getCap, getTCB, loadWord, slotOf } from '../../spec/model/heap';
import type { KernelState } from '../../spec/model/state';
import type { Cap } from '../../spec/model/structures';
import { type OutcomeLabel, labelOutcome } from '../../properties/outcome';
import { LockStep } from '../../refinement/run';
import { renderFailure } from '../../refinement/report/counterexample';
import { wellFormed } from '../../invariants/wellFormed';

export const ROOT = ROOT_TCB_PTR;

/** A Call (or another syscall) invoking `cptr` with a label, message registers and extra caps. */
export const invoke = (cptr: number, label: InvocationLabel | number, mrs: readonly number[] = [], caps: readonly number[] = [], sysno: number = SysCall): Event =>
  invocationEvent(cptr, typeof label === 'number' ? label : LABEL[label], mrs, caps, sysno);

export interface Scenario {
  readonly state: KernelState;
  readonly outcomes: readonly OutcomeLabel[];
  readonly lockStep: LockStep;
}

/** Run events in lock step; fail the test on any divergence or invariant violation. */
export const run = (events: readonly Event[], mutants: readonly string[] = []): Scenario => runWithOptions(events, { mutants });

export interface Reply {
  readonly badge: number;
  readonly label: number;
  readonly length: number;
  /** The message words the thread received (MR0.. up to length). */
  readonly words: readonly number[];
}

/** What a thread holds after a kernel reply (or a message): badge, info and MRs. */
export const replyOf = (s: KernelState, t = ROOT, buffer = t === ROOT ? ROOT_IPC_BUFFER_PTR : undefined): Reply => {
  const ctx = getTCB(s, t).context;
  const info = messageInfoFromWord(ctx[1] ?? 0);
  const words: number[] = [];
  for (let i = 0; i < info.length; i++) {
    const r = MSG_REGISTERS[i];
    if (r !== undefined) words.push(ctx[r] ?? 0);
    else if (buffer !== undefined && i + 1 < IPCBUF_WORDS) words.push(loadWord(s, buffer + 4 * (i + 1)));
  }
  return { badge: ctx[0] ?? 0, label: info.label, length: info.length, words };
};

/** The cap in slot `i` of the root CNode. */
export const rootSlot = (s: KernelState, i: number): Cap => getCap(s, slotOf(ROOT_CNODE_PTR, i));
export const rootSlotPtr = (i: number): number => slotOf(ROOT_CNODE_PTR, i);

/** `run` on a system booted with `config` (for example a domain schedule). */
export const runWith = (config: BootConfig, events: readonly Event[], mutants: readonly string[] = []): Scenario => runWithOptions(events, { config, mutants });

/**
 * `run` with any lock-step options (the fastpath switched on, mutants, a boot
 * config); the spec state is also checked for well-formedness unless
 * `opts.checkSpec` says otherwise.
 */
export const runWithOptions = (events: readonly Event[], opts: NonNullable<ConstructorParameters<typeof LockStep>[0]> = {}): Scenario => {
  const ls = new LockStep({ checkSpec: wellFormed, ...opts });
  const outcomes: OutcomeLabel[] = [];
  for (const e of events) {
    const before = ls.spec;
    ls.step(e);
    if (ls.failure !== undefined) expect.fail(renderFailure(ls.failure).join('\n'));
    if (ls.lastOutcome !== undefined) outcomes.push(labelOutcome(before, ls.lastOutcome));
  }
  return { state: ls.spec, outcomes, lockStep: ls };
};
