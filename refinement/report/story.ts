/**
 * A counterexample told in seL4's terms: each step names the thread it acts
 * for, resolves its cptr to the slot and cap it lands on, decodes the message
 * by that cap's kind (an IPC's label, length, message registers and caps; an
 * invocation's arguments by name), and says what the spec made of it and who
 * runs next. At the failing step the spec and each kernel are shown side by
 * side for the acting thread, and the differences read in the same names.
 *
 * The steps before the failing one agree on the whole abstract state (the
 * lock step stops at the first that does not), so only the last step has
 * sides to set apart.
 */
import * as E from 'fp-ts/Either';
import { type Event, MSG_INFO_REGISTER, BADGE_REGISTER, MSG_REGISTERS, rawMessageInfo, syscallOf } from '../../spec/api';
import { lookupCapAndSlot } from '../../spec/kernel/cspace';
import type { KernelState } from '../../spec/model/state';
import type { Cap, PPtr, ThreadState } from '../../spec/model/structures';
import { labelOutcome, outcomeText } from '../../properties/outcome';
import { abstract } from '../abstract';
import type { RunOptions } from '../check';
import { type Failure, LockStep } from '../run';
import { renderEvent, renderInvocation } from './event';
import { Names, num, registerName } from './names';

/** One step as told: who acts, what it does, what came of it. */
export interface StoryStep {
  readonly actor: string;
  /** The syscall and the cap it lands on (or the hardware event). */
  readonly action: string;
  /** The message it sends, decoded by that cap's kind, if it sends one. */
  readonly message?: string;
  /** The hardware acted (a timer tick, an interrupt), not the thread: it was running. */
  readonly hardware: boolean;
  readonly outcome: string;
  /** The thread that runs after the step, when it is not the one that acted. */
  readonly next?: string;
}

/** What one side (the spec, or a kernel through the abstraction) shows of a thread after the failing step. */
export interface SideView {
  readonly side: string;
  readonly rows: ReadonlyArray<readonly [string, string]>;
}

export interface Story {
  readonly steps: readonly StoryStep[];
  readonly failure: Failure | undefined;
  /** At the failing step: the acting thread as each side has it. */
  readonly sides: readonly SideView[];
  /** The failure's lines in these names. */
  readonly failureLines: readonly string[];
  /** The spec state at boot and after each step told. */
  readonly states: readonly KernelState[];
  /** The names the story used (every object the steps made). */
  readonly names: Names | undefined;
}

/** Capability kinds whose invocation is IPC rather than a kernel-object method. */
const IPC_CAPS: ReadonlySet<Cap['_tag']> = new Set(['EndpointCap', 'NotificationCap', 'ReplyCap']);
/** Syscalls that send a message with the cap they name. */
const SENDING: ReadonlySet<string> = new Set(['Send', 'NBSend', 'Call']);

const stateText = (names: Names, st: ThreadState): string => {
  switch (st._tag) {
    case 'BlockedOnReceive':
    case 'BlockedOnSend':
      return `${st._tag} on ${names.object(st.ep)}`;
    case 'BlockedOnNotification':
      return `BlockedOnNotification on ${names.object(st.ntfn)}`;
    default:
      return st._tag;
  }
};

/** `cptr 35 = rootCNode[35] EndpointCap(EP1, badge 7, rights R W)`, or why it resolves to no cap. */
const resolved = (names: Names, s: KernelState, actor: PPtr, cptr: number): { text: string; cap: Cap | undefined } => {
  const r = lookupCapAndSlot(s, actor, cptr);
  if (E.isLeft(r)) return { text: `cptr ${num(cptr)} (no cap: ${r.left._tag})`, cap: undefined };
  return { text: `cptr ${num(cptr)} = ${names.slot(s, r.right.slot)} ${names.cap(r.right.cap)}`, cap: r.right.cap };
};

/** The step's action, and its message decoded by the cap it lands on. */
const actionOf = (names: Names, s: KernelState, actor: PPtr, e: Event): { action: string; message?: string } => {
  if (e.kind !== 'syscall') return { action: renderEvent(e) };
  const name = syscallOf(e.sysno) ?? `syscall#${e.sysno | 0}`;
  const parts: string[] = [name];
  let cap: Cap | undefined;
  if (e.cptr !== undefined && name !== 'Reply' && name !== 'Yield') {
    const r = resolved(names, s, actor, e.cptr);
    parts.push(r.text);
    cap = r.cap;
  }
  if (e.recv !== undefined) parts.push(`receive slot (${num(e.recv.cnode)}, ${num(e.recv.index)}, depth ${e.recv.depth})`);
  const action = parts.join(' ');
  const sends = SENDING.has(name) || name === 'Reply' || name === 'ReplyRecv';
  if (e.info === undefined || !sends) return { action };
  const mi = rawMessageInfo(e.info);
  const mrs = (e.mrs ?? []).slice(0, mi.length);
  const caps = (e.caps ?? []).slice(0, Math.max(mi.extraCaps, 0)).map((c) => resolved(names, s, actor, c).text);
  const withCaps = caps.length > 0 ? ` with caps [${caps.join('; ')}]` : '';
  const ipc = cap === undefined || IPC_CAPS.has(cap._tag) || name === 'Reply' || name === 'ReplyRecv';
  return {
    action,
    message: ipc ? `message label ${num(mi.label)}, length ${mi.length}, MRs [${mrs.map(num).join(', ')}]${withCaps}` : `${renderInvocation(e.info, mrs)}${withCaps}`,
  };
};

/** The message-info register as seL4 reads it. */
const msgInfoText = (w: number): string => {
  const mi = rawMessageInfo(w);
  return `${num(w)} (label ${mi.label}, length ${mi.length}${mi.extraCaps > 0 ? `, ${mi.extraCaps} caps` : ''})`;
};

/** The rows a side shows of a thread: its state, the ABI registers, and who runs next. */
const viewOf = (names: Names, s: KernelState, t: PPtr): Array<readonly [string, string]> => {
  const o = s.objects.get(t);
  const who = names.object(t);
  if (o?._tag !== 'TCB') return [[who, 'no such thread']];
  const regs = [BADGE_REGISTER, MSG_INFO_REGISTER, ...MSG_REGISTERS].map(
    (r) => [`${who}.${registerName(r)}`, r === MSG_INFO_REGISTER ? msgInfoText(o.context[r] ?? 0) : num(o.context[r] ?? 0)] as const,
  );
  return [[`${who} state`, stateText(names, o.state)], ...regs, ['runs next', names.object(s.curThread)]];
};

/** Replay `events` as the check ran them and tell what happened. */
export const tell = (events: readonly Event[], opts: RunOptions): Story => {
  const ls = new LockStep(opts);
  const steps: StoryStep[] = [];
  try {
    if (ls.failure !== undefined) return { steps, failure: ls.failure, sides: [], failureLines: [], states: [], names: undefined };
    const names = new Names(ls.spec);
    const states: KernelState[] = [ls.spec];
    let actor = ls.spec.curThread;
    for (const [i, e] of events.entries()) {
      const before = ls.spec;
      actor = before.curThread;
      const told = { actor: names.thread(before, actor), ...actionOf(names, before, actor, e), hardware: e.kind === 'tick' || e.kind === 'interrupt' };
      const ok = ls.step(e);
      names.observe(ls.spec, i + 1);
      states.push(ls.spec);
      const outcome = ls.lastOutcome === undefined ? 'the spec threw' : outcomeText(labelOutcome(before, ls.lastOutcome));
      const next = ls.spec.curThread === actor ? undefined : names.object(ls.spec.curThread);
      steps.push({ ...told, outcome, ...(next === undefined ? {} : { next }) });
      if (!ok) break;
    }
    // Stepping may have failed the run (the narrowing above does not know).
    const failure = ls.failure as Failure | undefined;
    if (failure === undefined) return { steps, failure, sides: [], failureLines: [], states, names };
    // The sides at the failing step: the spec, and each kernel as the abstraction reads it.
    const kernels = ls.twin === undefined ? [['impl', ls.impl] as const] : ([['impl', ls.impl] as const, ['impl (fastpath on)', ls.twin] as const] as const);
    const sides: SideView[] = [{ side: 'spec', rows: viewOf(names, ls.spec, actor) }];
    for (const [side, k] of kernels) {
      try {
        sides.push({ side, rows: viewOf(names, abstract(k).state, actor) });
      } catch {
        // A kernel too broken to abstract shows no side; the failure below says why.
      }
    }
    const [left, right] = failure.sides;
    const where = failure.step === 0 ? 'at boot' : `after step ${failure.step}`;
    const failureLines = [
      `${failure.kind} ${where}: ${failure.message}`,
      ...failure.differences.map((d) => `  ${names.path(ls.spec, d.path)}: ${left} ${names.value(ls.spec, d.path, d.spec)} | ${right} ${names.value(ls.spec, d.path, d.impl)}`),
      ...failure.violations.map((v) => `  ${names.path(ls.spec, v.path)}: ${v.message}`),
      ...(failure.stack ?? []).map((f) => `    ${f}`),
    ];
    return { steps, failure, sides, failureLines, states, names };
  } finally {
    ls.dispose();
  }
};

/** The story as report lines: numbered steps, the sides at the failing one (where they part marked), the failure. */
export const renderStory = (story: Story): string[] => {
  const lines: string[] = [];
  story.steps.forEach((s, i) => {
    lines.push(`  ${String(i + 1).padStart(3)}. ${s.hardware ? `${s.action} while ${s.actor} runs` : `${s.actor}: ${s.action}`}`);
    if (s.message !== undefined) lines.push(`         ${s.message}`);
    lines.push(`         → ${s.outcome}${s.next === undefined ? '' : `; ${s.next} runs`}`);
  });
  if (story.sides.length > 0) {
    const labels = story.sides[0]?.rows.map(([k]) => k) ?? [];
    const width = Math.max(...labels.map((l) => l.length), 4);
    const col = Math.max(...story.sides.flatMap((s) => [s.side.length, ...s.rows.map(([, v]) => v.length)]), 4) + 2;
    lines.push(`  after step ${story.steps.length}, side by side:`);
    lines.push(`    ${''.padEnd(width)}  ${story.sides.map((s) => s.side.padEnd(col)).join('')}`.trimEnd());
    labels.forEach((label, r) => {
      const values = story.sides.map((s) => s.rows[r]?.[1] ?? '');
      const parts = values.some((v) => v !== values[0]);
      lines.push(`    ${label.padEnd(width)}  ${values.map((v) => v.padEnd(col)).join('')}${parts ? '← they part' : ''}`.trimEnd());
    });
  }
  lines.push(...story.failureLines);
  return lines;
};
