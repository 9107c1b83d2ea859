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
import { type Event, BADGE_REGISTER, CAP_REGISTER, MSG_INFO_REGISTER, MSG_REGISTERS, rawMessageInfo, syscallOf } from '../../spec/api';
import { lookupCapAndSlot } from '../../spec/kernel/cspace';
import type { KernelState } from '../../spec/model/state';
import type { Cap, PPtr } from '../../spec/model/structures';
import { labelOutcome, outcomeText } from '../../properties/outcome';
import { abstract } from '../abstract';
import type { Kernel } from '../../impl/kernel';
import { type Failure, LockStep, type LockStepOptions } from '../run';
import { renderFailure } from './counterexample';
import { renderEvent, renderInvocation } from './event';
import { Names, num, registerName } from './names';

/** One step as told: who acts, what it does, what came of it. */
export interface StoryStep {
  readonly actor: string;
  /** The acting thread's name alone (`T2`). */
  readonly actorName: string;
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
  /** The names as they stood at each state (an address reused later names another object). */
  readonly namesAt: readonly Names[];
}

/** Capability kinds whose invocation is IPC rather than a kernel-object method. */
const IPC_CAPS: ReadonlySet<Cap['_tag']> = new Set(['EndpointCap', 'NotificationCap', 'ReplyCap']);
/** Syscalls that send a message with the cap they name. */
const SENDING: ReadonlySet<string> = new Set(['Send', 'NBSend', 'Call']);

/** `cptr 35 = rootCNode[35] EndpointCap(EP1, badge 7, rights R W)`, or why it resolves to no cap. */
const resolved = (names: Names, s: KernelState, actor: PPtr, cptr: number): { text: string; cap: Cap | undefined } => {
  const r = lookupCapAndSlot(s, actor, cptr);
  if (E.isLeft(r)) return { text: `cptr ${num(cptr)} (no cap: ${r.left._tag})`, cap: undefined };
  return { text: `cptr ${num(cptr)} = ${names.slot(s, r.right.slot)} ${names.cap(r.right.cap)}`, cap: r.right.cap };
};

/**
 * The step's action, and its message decoded by the cap it lands on. What
 * the event leaves out the thread's registers already hold (spec/api/event.ts):
 * the cptr in r0, the message info in r1, MR0..MR3 in r2..r5.
 */
const actionOf = (names: Names, s: KernelState, actor: PPtr, e: Event): { action: string; message?: string } => {
  if (e.kind !== 'syscall') return { action: renderEvent(e) };
  const name = syscallOf(e.sysno) ?? `syscall#${e.sysno | 0}`;
  const t = s.objects.get(actor);
  const reg = (r: number): number => (t?._tag === 'TCB' ? (t.context[r] ?? 0) : 0);
  const parts: string[] = [name];
  let cap: Cap | undefined;
  if (name !== 'Reply' && name !== 'Yield' && syscallOf(e.sysno) !== null) {
    const r = resolved(names, s, actor, e.cptr ?? reg(CAP_REGISTER));
    parts.push(`${r.text}${e.cptr === undefined ? ' (from r0)' : ''}`);
    cap = r.cap;
  }
  if (e.recv !== undefined) parts.push(`receive slot (${num(e.recv.cnode)}, ${num(e.recv.index)}, depth ${e.recv.depth})`);
  const action = parts.join(' ');
  const sends = SENDING.has(name) || name === 'Reply' || name === 'ReplyRecv';
  if (!sends) return { action };
  // Sending on a notification is a signal: no message travels, the cap's badge is OR-ed in.
  if (cap?._tag === 'NotificationCap' && SENDING.has(name)) return { action, message: `signal (badge ${num(cap.badge)})` };
  const info = e.info ?? reg(MSG_INFO_REGISTER);
  const mi = rawMessageInfo(info);
  const given = e.mrs ?? MSG_REGISTERS.map(reg);
  const mrs = given.slice(0, mi.length);
  const caps = (e.caps ?? []).slice(0, Math.max(mi.extraCaps, 0)).map((c) => resolved(names, s, actor, c).text);
  const withCaps = caps.length > 0 ? ` with caps [${caps.join('; ')}]` : mi.extraCaps > 0 && e.caps === undefined ? ` with ${mi.extraCaps} caps named in the IPC buffer` : '';
  const more = mi.length > mrs.length ? ` (${mi.length - mrs.length} more in the IPC buffer)` : '';
  const ipc = cap === undefined || IPC_CAPS.has(cap._tag) || name === 'Reply' || name === 'ReplyRecv';
  const from = e.info === undefined ? ' (info from r1)' : '';
  return {
    action,
    message: ipc
      ? `message label ${num(mi.label)}, length ${mi.length}, MRs [${mrs.map(num).join(', ')}]${more}${withCaps}${from}`
      : `${renderInvocation(info, mrs)}${more}${withCaps}${from}`,
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
  return [[`${who} state`, names.threadState(o.state)], ...regs, ['runs next', names.object(s.curThread)]];
};

/** How the reports name a concrete kernel (as the lock step does). */
const kernelSide = (k: Kernel): string => (k.fastpath ? 'impl (fastpath on)' : 'impl');

/** The threads a failure is about: the acting one, then those its differences name (at most three in all). */
const threadsOf = (s: KernelState, actor: PPtr, failure: Failure): PPtr[] => {
  const out = [actor];
  for (const d of failure.differences) {
    const m = /^objects\[0x([0-9a-f]+)\]/.exec(d.path);
    const p = m === null ? undefined : Number.parseInt(m[1] as string, 16);
    if (p !== undefined && s.objects.get(p)?._tag === 'TCB' && !out.includes(p)) out.push(p);
  }
  return out.slice(0, 3);
};

/** Replay `events` as the check ran them and tell what happened. */
export const tell = (events: readonly Event[], opts: LockStepOptions): Story => {
  const ls = new LockStep(opts);
  const steps: StoryStep[] = [];
  try {
    // A failure at boot has no step and no names to tell it in: its lines as recorded.
    if (ls.failure !== undefined) return { steps, failure: ls.failure, sides: [], failureLines: renderFailure(ls.failure), states: [], names: undefined, namesAt: [] };
    const names = new Names(ls.spec);
    const states: KernelState[] = [ls.spec];
    const namesAt: Names[] = [names.snapshot()];
    let actor = ls.spec.curThread;
    for (const [i, e] of events.entries()) {
      const before = ls.spec;
      actor = before.curThread;
      const told = {
        actor: names.thread(before, actor),
        actorName: names.object(actor),
        ...actionOf(names, before, actor, e),
        hardware: e.kind === 'tick' || e.kind === 'interrupt',
      };
      const ok = ls.step(e);
      const outcome = ls.lastOutcome === undefined ? 'the spec threw' : outcomeText(labelOutcome(before, ls.lastOutcome));
      // A spec that threw made no state after this step.
      if (ls.lastOutcome !== undefined) {
        names.observe(ls.spec, i + 1);
        states.push(ls.spec);
        namesAt.push(names.snapshot());
      }
      const next = ls.spec.curThread === actor ? undefined : names.object(ls.spec.curThread);
      steps.push({ ...told, outcome, ...(next === undefined ? {} : { next }) });
      if (!ok) break;
    }
    // Stepping may have failed the run (the narrowing above does not know).
    const failure = ls.failure as Failure | undefined;
    if (failure === undefined) return { steps, failure, sides: [], failureLines: [], states, names, namesAt };
    // The sides at the failing step: the spec, and each kernel as the abstraction reads it. After a
    // crash or a spec failure there is no finished step to look at: the failure alone is shown.
    const finished = failure.kind !== 'crash' && failure.kind !== 'spec-assertion' && failure.kind !== 'kernel-bug';
    const kernels = ls.twin === undefined ? [ls.impl] : [ls.impl, ls.twin];
    const sides: SideView[] = [];
    if (finished) {
      const shown = threadsOf(ls.spec, actor, failure);
      const rowsOf = (st: KernelState) => shown.flatMap((t) => viewOf(names, st, t)).filter(([k], i, all) => k !== 'runs next' || i === all.length - 1);
      sides.push({ side: 'spec', rows: rowsOf(ls.spec) });
      for (const k of kernels) {
        try {
          sides.push({ side: kernelSide(k), rows: rowsOf(abstract(k).state) });
        } catch {
          // A kernel too broken to abstract shows no side; the failure below says why.
        }
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
    return { steps, failure, sides, failureLines, states, names, namesAt };
  } finally {
    ls.dispose();
  }
};

/** A step's first line: the thread and what it does, or the hardware event and the thread it interrupts. */
export const stepHeadline = (s: StoryStep): string => (s.hardware ? `${s.action} while ${s.actor} runs` : `${s.actor}: ${s.action}`);

/** The story as report lines: numbered steps, the sides at the failing one (where they part marked), the failure. */
export const renderStory = (story: Story): string[] => {
  const lines: string[] = [];
  story.steps.forEach((s, i) => {
    lines.push(`  ${String(i + 1).padStart(3)}. ${stepHeadline(s)}`);
    if (s.message !== undefined) lines.push(`         ${s.message}`);
    lines.push(`         → ${s.outcome}${s.next === undefined ? '' : `; ${s.next} runs`}`);
  });
  lines.push(...sidesLines(story), ...story.failureLines);
  return lines;
};

/** Which rows of the sides differ between them (where they part). */
export const partingRows = (sides: readonly SideView[]): boolean[] =>
  (sides[0]?.rows ?? []).map((_, r) => {
    const values = sides.map((s) => s.rows[r]?.[1] ?? '');
    return values.some((v) => v !== values[0]);
  });

/** The sides at the failing step as a table, where they part marked. */
export const sidesLines = (story: Story): string[] => {
  const lines: string[] = [];
  if (story.sides.length > 0) {
    const labels = story.sides[0]?.rows.map(([k]) => k) ?? [];
    const width = Math.max(...labels.map((l) => l.length), 4);
    const col = Math.max(...story.sides.flatMap((s) => [s.side.length, ...s.rows.map(([, v]) => v.length)]), 4) + 2;
    lines.push(`  after step ${story.steps.length}, side by side:`);
    lines.push(`    ${''.padEnd(width)}  ${story.sides.map((s) => s.side.padEnd(col)).join('')}`.trimEnd());
    const parting = partingRows(story.sides);
    labels.forEach((label, r) => {
      const values = story.sides.map((s) => s.rows[r]?.[1] ?? '');
      lines.push(`    ${label.padEnd(width)}  ${values.map((v) => v.padEnd(col)).join('')}${parting[r] === true ? '← they part' : ''}`.trimEnd());
    });
  }
  return lines;
};
