/**
 * A trace printed as a test to paste (`sel4-spec replay FILE --as-test`), as
 * Hypothesis prints a falsifying example as code: a vitest file whose one
 * test runs the steps with the scenario API, each step addressed to the
 * thread that performs it and written as the libsel4 call it is.
 *
 * Every step is printed as the first of its readings that builds the very
 * same event: the libsel4 method of the object its cap names, then a named
 * invocation, an IPC with a message, and last the raw registers. So the
 * printed test replays the trace exactly, whatever the generator made.
 */
import * as E from 'fp-ts/Either';
import { type DomainScheduleConfig, type Event, INVOCATION_LABELS, InitSlot, OBJECT_TYPES, SYSCALL_NAMES, SysCall, WORD_BITS, rawMessageInfo, syscallEvent } from '../../spec/api';
import { defaultBootConfig } from '../../spec/api';
import { lookupCapAndSlot } from '../../spec/kernel/cspace';
import type { KernelState } from '../../spec/model/state';
import type { Cap } from '../../spec/model/structures';
import type { RunOptions } from '../check';
import { fastpathModeOf } from '../run';
import { selectionOf } from '../../invariants/wellFormed';
import { type Story, stepHeadline } from '../report/story';
import { num } from '../report/names';
import * as api from './libsel4';

/** A piece of code and the value it evaluates to. */
interface Arg {
  readonly code: string;
  readonly value: unknown;
  /** The API names the code uses, to import. */
  readonly uses?: readonly string[];
}
const word = (w: number): Arg => ({ code: num(w), value: w });
const flag = (b: boolean): Arg => ({ code: String(b), value: b });
const words = (ws: readonly number[]): Arg => ({ code: `[${ws.map(num).join(', ')}]`, value: ws });

/** A slot argument: the root CNode index alone where it is one, else `slot(index, root, depth)`. */
const slotArg = (index: number, root: number, depth: number): Arg =>
  root === InitSlot.ThreadCNode && depth === WORD_BITS ? word(index) : { code: `slot(${num(index)}, ${num(root)}, ${depth})`, value: api.slot(index, root, depth), uses: ['slot'] };

const RIGHT_NAMES: ReadonlyArray<readonly [number, string]> = [
  [api.AllRights, 'AllRights'],
  [api.NoRights, 'NoRights'],
  [api.CanRead, 'CanRead'],
  [api.CanWrite, 'CanWrite'],
  [api.CanGrant, 'CanGrant'],
  [api.CanGrantReply, 'CanGrantReply'],
];
/** A rights word as libsel4 spells it (`AllRights`, `capRights(false, false, true, true)`), or the word when it has other bits. */
const rightsArg = (w: number): Arg => {
  const named = RIGHT_NAMES.find(([v]) => v === w);
  if (named !== undefined) return { code: named[1], value: w, uses: [named[1]] };
  if (w >>> 0 > 0xf) return word(w);
  return { code: `capRights(${(w & 8) !== 0}, ${(w & 4) !== 0}, ${(w & 2) !== 0}, ${(w & 1) !== 0})`, value: w, uses: ['capRights'] };
};
const typeArg = (t: number): Arg => {
  const name = OBJECT_TYPES[t];
  return name === undefined ? word(t) : { code: `ObjectTypeNumber.${name}`, value: t, uses: ['ObjectTypeNumber'] };
};

/** `fn(args…)`, printed and built. */
export interface Reading {
  readonly code: string;
  readonly event: Event;
  /** The names the code uses, to import. */
  readonly uses: readonly string[];
}
const reading = (name: string, fn: (...a: never[]) => Event, args: readonly Arg[]): Reading => {
  const [head] = name.split('.');
  return {
    code: `${name}(${args.map((a) => a.code).join(', ')})`,
    event: (fn as (...a: unknown[]) => Event)(...args.map((a) => a.value)),
    uses: [head as string, ...args.flatMap((a) => a.uses ?? [])],
  };
};

type MethodReader = (service: number, mrs: readonly number[], caps: readonly number[]) => Reading | undefined;
const m = (mrs: readonly number[], i: number): number => mrs[i] ?? 0;
const c = (caps: readonly number[], i: number): number => caps[i] ?? 0;
const bit = (w: number, i: number): boolean => ((w >>> i) & 1) !== 0;

/** The libsel4 method each label reads as, by the kind of cap it is invoked on. */
const METHODS: Partial<Record<Cap['_tag'], Partial<Record<string, MethodReader>>>> = {
  UntypedCap: {
    UntypedRetype: (s, a, k) =>
      reading('Untyped.retype', api.Untyped.retype, [word(s), typeArg(m(a, 0)), word(m(a, 1)), word(c(k, 0)), word(m(a, 2)), word(m(a, 3)), word(m(a, 4)), word(m(a, 5))]),
  },
  CNodeCap: {
    CNodeCopy: (s, a, k) => reading('CNode.copy', api.CNode.copy, [slotArg(m(a, 0), s, m(a, 1)), slotArg(m(a, 2), c(k, 0), m(a, 3)), rightsArg(m(a, 4))]),
    CNodeMint: (s, a, k) => reading('CNode.mint', api.CNode.mint, [slotArg(m(a, 0), s, m(a, 1)), slotArg(m(a, 2), c(k, 0), m(a, 3)), rightsArg(m(a, 4)), word(m(a, 5))]),
    CNodeMove: (s, a, k) => reading('CNode.move', api.CNode.move, [slotArg(m(a, 0), s, m(a, 1)), slotArg(m(a, 2), c(k, 0), m(a, 3))]),
    CNodeMutate: (s, a, k) => reading('CNode.mutate', api.CNode.mutate, [slotArg(m(a, 0), s, m(a, 1)), slotArg(m(a, 2), c(k, 0), m(a, 3)), word(m(a, 4))]),
    CNodeRotate: (s, a, k) =>
      reading('CNode.rotate', api.CNode.rotate, [
        slotArg(m(a, 0), s, m(a, 1)),
        word(m(a, 2)),
        slotArg(m(a, 3), c(k, 0), m(a, 4)),
        word(m(a, 5)),
        slotArg(m(a, 6), c(k, 1), m(a, 7)),
      ]),
    CNodeDelete: (s, a) => reading('CNode.delete', api.CNode.delete, [slotArg(m(a, 0), s, m(a, 1))]),
    CNodeRevoke: (s, a) => reading('CNode.revoke', api.CNode.revoke, [slotArg(m(a, 0), s, m(a, 1))]),
    CNodeSaveCaller: (s, a) => reading('CNode.saveCaller', api.CNode.saveCaller, [slotArg(m(a, 0), s, m(a, 1))]),
    CNodeCancelBadgedSends: (s, a) => reading('CNode.cancelBadgedSends', api.CNode.cancelBadgedSends, [slotArg(m(a, 0), s, m(a, 1))]),
  },
  ThreadCap: {
    TCBConfigure: (s, a, k) =>
      reading('TCB.configure', api.TCB.configure, [word(s), word(m(a, 0)), word(c(k, 0)), word(m(a, 1)), word(c(k, 1)), word(m(a, 2)), word(m(a, 3)), word(c(k, 2))]),
    TCBSetPriority: (s, a, k) => reading('TCB.setPriority', api.TCB.setPriority, [word(s), word(c(k, 0)), word(m(a, 0))]),
    TCBSetMCPriority: (s, a, k) => reading('TCB.setMCPriority', api.TCB.setMCPriority, [word(s), word(c(k, 0)), word(m(a, 0))]),
    TCBSetSchedParams: (s, a, k) => reading('TCB.setSchedParams', api.TCB.setSchedParams, [word(s), word(c(k, 0)), word(m(a, 0)), word(m(a, 1))]),
    TCBSetIPCBuffer: (s, a, k) => reading('TCB.setIPCBuffer', api.TCB.setIPCBuffer, [word(s), word(m(a, 0)), word(c(k, 0))]),
    TCBSetSpace: (s, a, k) => reading('TCB.setSpace', api.TCB.setSpace, [word(s), word(m(a, 0)), word(c(k, 0)), word(m(a, 1)), word(c(k, 1)), word(m(a, 2))]),
    TCBSuspend: (s) => reading('TCB.suspend', api.TCB.suspend, [word(s)]),
    TCBResume: (s) => reading('TCB.resume', api.TCB.resume, [word(s)]),
    TCBReadRegisters: (s, a) => reading('TCB.readRegisters', api.TCB.readRegisters, [word(s), flag(bit(m(a, 0), 0)), word((m(a, 0) >>> 8) & 0xff), word(m(a, 1))]),
    TCBWriteRegisters: (s, a) =>
      reading('TCB.writeRegisters', api.TCB.writeRegisters, [word(s), flag(bit(m(a, 0), 0)), word((m(a, 0) >>> 8) & 0xff), word(m(a, 1)), words(a.slice(2))]),
    TCBCopyRegisters: (s, a, k) =>
      reading('TCB.copyRegisters', api.TCB.copyRegisters, [word(s), word(c(k, 0)), ...[0, 1, 2, 3].map((i) => flag(bit(m(a, 0), i))), word((m(a, 0) >>> 8) & 0xff)]),
    TCBBindNotification: (s, _a, k) => reading('TCB.bindNotification', api.TCB.bindNotification, [word(s), word(c(k, 0))]),
    TCBUnbindNotification: (s) => reading('TCB.unbindNotification', api.TCB.unbindNotification, [word(s)]),
    TCBSetTLSBase: (s, a) => reading('TCB.setTLSBase', api.TCB.setTLSBase, [word(s), word(m(a, 0))]),
    TCBSetFlags: (s, a) => reading('TCB.setFlags', api.TCB.setFlags, [word(s), word(m(a, 0)), word(m(a, 1))]),
  },
  DomainCap: {
    DomainSetSet: (s, a, k) => reading('DomainSet.set', api.DomainSet.set, [word(s), word(m(a, 0)), word(c(k, 0))]),
    DomainScheduleConfigure: (s, a) => {
      const duration = BigInt(m(a, 2) >>> 0) | (BigInt(m(a, 3) >>> 0) << 32n);
      return reading('DomainSet.scheduleConfigure', api.DomainSet.scheduleConfigure, [word(s), word(m(a, 0)), word(m(a, 1)), { code: `${duration}n`, value: duration }]);
    },
    DomainScheduleSetStart: (s, a) => reading('DomainSet.scheduleSetStart', api.DomainSet.scheduleSetStart, [word(s), word(m(a, 0))]),
  },
};

/** The IPC syscalls that name a cap, by their helper. */
const IPC_BUILDERS: Readonly<Record<string, readonly [string, (cptr: number, m: api.Message) => Event]>> = {
  Send: ['send', api.send],
  NBSend: ['nbSend', api.nbSend],
  Call: ['call', api.call],
  Recv: ['recv', api.recv],
  NBRecv: ['nbRecv', api.nbRecv],
  ReplyRecv: ['replyRecv', api.replyRecv],
};
/** Caps whose invocation is IPC, never a kernel-object method. */
const IPC_CAPS: ReadonlySet<Cap['_tag']> = new Set(['EndpointCap', 'NotificationCap', 'ReplyCap']);

/** A message as code: `msg(label, mrs, caps)` when its lengths are the words' own, else the info word spelled out; the receive path around it. */
const messageArg = (e: Extract<Event, { kind: 'syscall' }>, omitEmpty: boolean): Arg | undefined => {
  const fields: string[] = [];
  const value: Record<string, unknown> = {};
  const uses: string[] = [];
  let code: string | undefined;
  if (e.info !== undefined) {
    const mi = rawMessageInfo(e.info);
    const mrs = e.mrs ?? [];
    const caps = e.caps ?? [];
    if (e.mrs !== undefined && e.caps !== undefined && mi.capsUnwrapped === 0 && mi.extraCaps === caps.length && mi.length === mrs.length) {
      const tail = caps.length > 0 ? [words(mrs).code, words(caps).code] : mrs.length > 0 ? [words(mrs).code] : [];
      code = `msg(${[num(mi.label), ...tail].join(', ')})`;
      uses.push('msg');
      Object.assign(value, api.msg(mi.label, mrs, caps));
    } else {
      fields.push(`info: messageInfo(${num(mi.label)}, ${mi.capsUnwrapped}, ${mi.extraCaps}, ${mi.length})`);
      value['info'] = e.info;
      uses.push('messageInfo');
    }
  }
  if (code === undefined) {
    if (e.mrs !== undefined) {
      fields.push(`mrs: ${words(e.mrs).code}`);
      value['mrs'] = e.mrs;
    }
    if (e.caps !== undefined) {
      fields.push(`caps: ${words(e.caps).code}`);
      value['caps'] = e.caps;
    }
    if (fields.length > 0 || !omitEmpty) code = `{ ${fields.join(', ')} }`.replace('{  }', '{}');
  }
  if (e.recv !== undefined) {
    const r = e.recv;
    const inner = code === undefined || code === '{}' ? '' : `, ${code}`;
    return { code: `receivePath(${num(r.cnode)}, ${num(r.index)}, ${r.depth}${inner})`, value: { ...value, recv: r }, uses: [...uses, 'receivePath'] };
  }
  return code === undefined ? undefined : { code, value, uses };
};

/** The readings of a syscall, best first: the method of the object its cap names, a named invocation, an IPC, raw registers. */
const syscallReadings = (e: Extract<Event, { kind: 'syscall' }>, cap: Cap | undefined): Reading[] => {
  const out: Reading[] = [];
  const name = SYSCALL_NAMES.get(e.sysno);
  const mrs = e.mrs ?? [];
  const caps = e.caps ?? [];
  if (e.cptr !== undefined && e.info !== undefined) {
    const label = INVOCATION_LABELS[rawMessageInfo(e.info).label];
    const method = cap === undefined || label === undefined ? undefined : METHODS[cap._tag]?.[label];
    const r = method?.(e.cptr, mrs, caps);
    if (r !== undefined) out.push(r);
    if (label !== undefined && (cap === undefined || !IPC_CAPS.has(cap._tag))) {
      const sysno: Arg = name === undefined ? { code: String(e.sysno), value: e.sysno } : { code: `Sys${name}`, value: e.sysno, uses: [`Sys${name}`] };
      const tail = [words(mrs), words(caps), ...(e.sysno === SysCall ? [] : [sysno])];
      out.push(reading('invoke', api.invoke, [word(e.cptr), { code: quoted(label), value: label }, ...tail]));
    }
  }
  if (name === 'Yield') out.push(reading('yieldNow', api.yieldNow, []));
  // Only a reading that builds the very event is taken (eventCode), so these need no conditions of their own.
  if (e.cptr !== undefined && cap?._tag === 'NotificationCap') {
    if (name === 'Send') out.push(reading('signal', api.signal, [word(e.cptr)]));
    if (name === 'Recv') out.push(reading('wait', api.wait, [word(e.cptr)]));
    if (name === 'NBRecv') out.push(reading('poll', api.poll, [word(e.cptr)]));
  }
  const builder = name === undefined ? undefined : IPC_BUILDERS[name];
  const message = messageArg(e, name === 'Recv' || name === 'NBRecv');
  if (builder !== undefined && e.cptr !== undefined) out.push(reading(builder[0], builder[1], message === undefined ? [word(e.cptr)] : [word(e.cptr), message]));
  if (name === 'Reply' && e.cptr === undefined) out.push(reading('reply', api.reply, message === undefined ? [] : [message]));
  out.push(rawSyscall(e));
  return out;
};

/** `syscall({ sysno: SysCall, cptr: 35, info: messageInfo(…), … })`: the registers as they are. */
const rawSyscall = (e: Extract<Event, { kind: 'syscall' }>): Reading => {
  const name = SYSCALL_NAMES.get(e.sysno);
  const fields = [`sysno: ${name === undefined ? String(e.sysno) : `Sys${name}`}`];
  if (e.cptr !== undefined) fields.push(`cptr: ${num(e.cptr)}`);
  if (e.info !== undefined) {
    const mi = rawMessageInfo(e.info);
    fields.push(`info: messageInfo(${num(mi.label)}, ${mi.capsUnwrapped}, ${mi.extraCaps}, ${mi.length})`);
  }
  if (e.mrs !== undefined) fields.push(`mrs: ${words(e.mrs).code}`);
  if (e.caps !== undefined) fields.push(`caps: ${words(e.caps).code}`);
  if (e.recv !== undefined) fields.push(`recv: { cnode: ${num(e.recv.cnode)}, index: ${num(e.recv.index)}, depth: ${e.recv.depth} }`);
  return {
    code: `syscall({ ${fields.join(', ')} })`,
    event: syscallEvent(e),
    uses: ['syscall', ...(e.info === undefined ? [] : ['messageInfo']), ...(name === undefined ? [] : [`Sys${name}`])],
  };
};

const otherReadings = (e: Exclude<Event, { kind: 'syscall' }>): Reading[] => {
  switch (e.kind) {
    case 'memory':
      return e.op === 'read' && e.value === undefined
        ? [reading('load', api.load, [word(e.vaddr)])]
        : e.op === 'write' && e.value !== undefined
          ? [reading('store', api.store, [word(e.vaddr), word(e.value)])]
          : [{ code: JSON.stringify(e), event: e, uses: [] }];
    case 'exception':
      return [reading('undefinedInstruction', api.undefinedInstruction, [])];
    case 'interrupt':
      return [reading('interrupt', api.interrupt, [word(e.irq)])];
    case 'tick':
      return [reading('tick', api.tick, [])];
  }
};

/** An event in one spelling: registers as unsigned words (how both kernels store them), keys sorted. */
export const canonicalEvent = (e: Event): string => {
  const n = e.kind === 'syscall' ? syscallEvent(e) : e.kind === 'memory' ? { ...e, vaddr: e.vaddr >>> 0, ...(e.value === undefined ? {} : { value: e.value >>> 0 }) } : e;
  const sorted = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sorted)
      : typeof x === 'object' && x !== null
        ? Object.fromEntries(
            Object.entries(x)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, v]) => [k, sorted(v)]),
          )
        : x;
  return JSON.stringify(sorted(n));
};

/** The event as the code that builds it: the first reading that builds the same event. */
export const eventCode = (e: Event, cap: Cap | undefined): Reading => {
  const all = e.kind === 'syscall' ? syscallReadings(e, cap) : otherReadings(e);
  const want = canonicalEvent(e);
  const r = all.find((x) => canonicalEvent(x.event) === want);
  // The raw reading is the event itself; a memory event no helper says is printed as its literal.
  return r ?? (all[all.length - 1] as Reading);
};

/** The cap the event's cptr lands on for `actor` in `s`, if any. */
const capOf = (s: KernelState | undefined, e: Event): Cap | undefined => {
  if (s === undefined || e.kind !== 'syscall' || e.cptr === undefined) return undefined;
  const r = lookupCapAndSlot(s, s.curThread, e.cptr);
  return E.isRight(r) ? r.right.cap : undefined;
};

/** A string as a single-quoted literal. */
const quoted = (x: string): string => `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;

/** A value as a TypeScript literal (bigints with their `n`). */
const literal = (x: unknown): string => {
  if (typeof x === 'bigint') return `${x}n`;
  if (typeof x === 'string') return quoted(x);
  if (Array.isArray(x)) return `[${x.map(literal).join(', ')}]`;
  if (typeof x === 'object' && x !== null)
    return `{ ${Object.entries(x)
      .map(([k, v]) => `${/^[A-Za-z_]\w*$/.test(k) ? k : JSON.stringify(k)}: ${literal(v)}`)
      .join(', ')} }`;
  return JSON.stringify(x);
};

/** The scenario options a trace ran with, as code (what differs from the scenario's defaults), and the names it uses. */
const optionsCode = (o: RunOptions): { code: string; uses: string[] } | undefined => {
  const uses: string[] = [];
  const fields: string[] = [];
  if ((o.mutants ?? []).length > 0) fields.push(`mutants: ${literal(o.mutants)}`);
  const mode = fastpathModeOf(o.fastpath);
  if (mode !== 'off') fields.push(`fastpath: '${mode}'`);
  const schedule: readonly DomainScheduleConfig[] | undefined = o.config?.domainSchedule;
  if (schedule !== undefined && literal(schedule) !== literal(defaultBootConfig.domainSchedule)) fields.push(`config: { domainSchedule: ${literal(schedule)} }`);
  if (o.strict === true) fields.push('strict: true');
  const selection = selectionOf(o.checkSpec);
  if (selection === false) fields.push('checkSpec: null');
  else if (selection !== true) {
    fields.push(`checkSpec: invariantsNamed(${literal(selection)})`);
    uses.push('invariantsNamed');
  }
  return fields.length === 0 ? undefined : { code: `{ ${fields.join(', ')} }`, uses };
};

export interface AsTestInput {
  /** What the trace is called (its file), for the test's name. */
  readonly title: string;
  readonly events: readonly Event[];
  readonly options: RunOptions;
  /** The trace told: the actor of each step, the states it passes through. */
  readonly story: Story;
  /** Where the test imports the API from (the package, or a path to refinement/index.ts). */
  readonly importFrom: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The vitest file: one test that runs the trace's steps and fails as the trace does. */
export const asTest = (t: AsTestInput): string => {
  const told = t.story.steps;
  const failing = t.story.failure;
  // The steps after a failing one never run: the test stops where the trace does.
  const events = failing === undefined ? t.events : t.events.slice(0, told.length);
  const uses = new Set<string>(['runScenario']);
  const threads: string[] = [];
  const stepLines = events.map((e, i) => {
    const r = eventCode(e, capOf(t.story.states[i], e));
    r.uses.forEach((u) => uses.add(u));
    const s = told[i];
    const who = s?.actorName;
    const addressed = s !== undefined && !s.hardware && who !== undefined && IDENTIFIER.test(who);
    if (addressed && !threads.includes(who)) threads.push(who);
    if (addressed) uses.add('as').add('thread');
    // The comment says what the call lands on and what the spec made of it; `as` already names the thread.
    const comment = s === undefined ? '' : ` // ${i + 1}. ${addressed ? s.action : stepHeadline(s)} → ${s.outcome}`;
    return `      ${addressed ? `as(${who}, ${r.code})` : r.code},${comment}`;
  });
  const opts = optionsCode(t.options);
  opts?.uses.forEach((u) => uses.add(u));
  const verdict =
    failing === undefined
      ? 'It passes: the kernels agree on every step.'
      : `It fails while the bug is there (${failing.kind} ${failing.step === 0 ? 'at boot' : `after step ${failing.step}`}), with the report as its error; it passes once the kernels agree.`;
  return [
    '/**',
    ` * ${t.title} as a scenario (sel4-spec replay --as-test).`,
    ` * ${verdict}`,
    ' */',
    "import { it } from 'vitest';",
    `import { ${[...uses].sort().join(', ')} } from ${quoted(t.importFrom)};`,
    '',
    ...threads.map((n) => `const ${n} = thread('${n}');`),
    ...(threads.length > 0 ? [''] : []),
    `it(${quoted(`replays ${t.title}`)}, () => {`,
    '  runScenario(',
    '    [',
    ...stepLines,
    `    ]${opts === undefined ? '' : ','}`,
    ...(opts === undefined ? [] : [`    ${opts.code},`]),
    '  );',
    '});',
    '',
  ].join('\n');
};
