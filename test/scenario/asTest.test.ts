import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from '../../refinement/index';
import { type Step, asTest, canonicalEvent, eventCode } from '../../refinement/scenario';
import { CHECK_BOOT_CONFIG, type RunOptions } from '../../refinement/check';
import { invariantsNamed, wellFormed } from '../../invariants/wellFormed';
import { tell } from '../../refinement/report/story';
import { type Event, INVOCATION_LABELS, MAX_IRQ, MSG_MAX_EXTRA_CAPS, MSG_MAX_LENGTH } from '../../spec/api';
import type { Cap } from '../../spec/model/structures';
import { generatedTraces } from '../helpers/traces';

/** Evaluate printed code with the whole scenario API in scope (the code is plain JavaScript but for its imports). */
const evaluate = (body: string, scope: Record<string, unknown> = {}): unknown => {
  const all: Record<string, unknown> = { ...api, ...scope };
  const names = Object.keys(all).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
  return new Function('__scope', `const { ${names.join(', ')} } = __scope;\n${body}`)(all);
};

/** The steps a printed test passes to runScenario, and its options. */
const stepsOfTest = (text: string): { steps: readonly Step[]; options: unknown } => {
  let captured: { steps: readonly Step[]; options: unknown } | undefined;
  const body = text
    .split('\n')
    .filter((l) => !l.startsWith('import '))
    .join('\n');
  evaluate(body, {
    it: (_name: string, fn: () => void) => fn(),
    runScenario: (steps: readonly Step[], options: unknown) => (captured = { steps, options }),
  });
  if (captured === undefined) throw new Error('the printed test never called runScenario');
  return captured;
};

const eventOf = (s: Step): Event => ('as' in s ? s.event : s);

const word = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: -0x8000_0000, max: 0xffff_ffff }));
const caps: fc.Arbitrary<Cap | undefined> = fc.constantFrom<Cap | undefined>(
  undefined,
  { _tag: 'NullCap' } as Cap,
  { _tag: 'CNodeCap', ptr: 0x1000, radix: 4, guard: 0, guardSize: 0 } as unknown as Cap,
  { _tag: 'ThreadCap', tcb: 0x2000 } as unknown as Cap,
  { _tag: 'UntypedCap' } as unknown as Cap,
  { _tag: 'DomainCap' } as Cap,
  { _tag: 'EndpointCap' } as unknown as Cap,
  { _tag: 'NotificationCap' } as unknown as Cap,
);
/** Any syscall the trace format allows, well formed or not. */
const syscalls: fc.Arbitrary<Event> = fc
  .record(
    {
      sysno: fc.oneof(fc.integer({ min: -8, max: -1 }), word),
      cptr: word,
      info: fc.oneof(
        fc
          .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 127 }))
          .map(([l, u, c, n]) => api.messageInfo(l, u, c, n)),
        word,
      ),
      mrs: fc.array(word, { maxLength: MSG_MAX_LENGTH }),
      caps: fc.array(word, { maxLength: MSG_MAX_EXTRA_CAPS }),
      recv: fc.record({ cnode: word, index: word, depth: word }),
    },
    { requiredKeys: ['sysno'] },
  )
  .map((f) => ({ kind: 'syscall', ...f }) as Event);
/** Events as the API's builders make them (the method readings' own ground), on any words. */
const slotRef = fc.oneof(
  word,
  fc.tuple(word, fc.oneof(fc.constant(2), word), fc.oneof(fc.constant(32), word)).map(([i, r, d]) => api.slot(i, r, d)),
);
const b = fc.boolean();
const built: fc.Arbitrary<Event> = fc.oneof(
  fc.tuple(word, word, word, word, word, word, word, word).map((a) => api.Untyped.retype(...a)),
  fc.tuple(slotRef, slotRef, word).map((a) => api.CNode.copy(...a)),
  fc.tuple(slotRef, slotRef, word, word).map((a) => api.CNode.mint(...a)),
  fc.tuple(slotRef, slotRef).map((a) => api.CNode.move(...a)),
  fc.tuple(slotRef, slotRef, word).map((a) => api.CNode.mutate(...a)),
  fc.tuple(slotRef, word, slotRef, word, slotRef).map((a) => api.CNode.rotate(...a)),
  fc.tuple(slotRef, fc.constantFrom(api.CNode.delete, api.CNode.revoke, api.CNode.saveCaller, api.CNode.cancelBadgedSends)).map(([x, f]) => f(x)),
  fc.tuple(word, word, word, word, word, word, word, word).map((a) => api.TCB.configure(...a)),
  fc.tuple(word, word, word).map((a) => api.TCB.setPriority(...a)),
  fc.tuple(word, word, word).map((a) => api.TCB.setMCPriority(...a)),
  fc.tuple(word, word, word, word).map((a) => api.TCB.setSchedParams(...a)),
  fc.tuple(word, word, word).map((a) => api.TCB.setIPCBuffer(...a)),
  fc.tuple(word, word, word, word, word, word).map((a) => api.TCB.setSpace(...a)),
  fc.tuple(word, fc.constantFrom(api.TCB.suspend, api.TCB.resume, api.TCB.unbindNotification)).map(([x, f]) => f(x)),
  fc.tuple(word, b, word, word).map((a) => api.TCB.readRegisters(...a)),
  fc.tuple(word, b, word, word, fc.array(word, { maxLength: 4 })).map((a) => api.TCB.writeRegisters(...a)),
  fc.tuple(word, word, b, b, b, b, word).map((a) => api.TCB.copyRegisters(...a)),
  fc.tuple(word, word).map((a) => api.TCB.bindNotification(...a)),
  fc.tuple(word, word).map((a) => api.TCB.setTLSBase(...a)),
  fc.tuple(word, word, word).map((a) => api.TCB.setFlags(...a)),
  fc.tuple(word, word, word).map((a) => api.DomainSet.set(...a)),
  fc.tuple(word, word, word, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map((a) => api.DomainSet.scheduleConfigure(...a)),
  fc.tuple(word, word).map((a) => api.DomainSet.scheduleSetStart(...a)),
  fc
    .tuple(
      fc.constantFrom(api.send, api.nbSend, api.call, api.recv, api.nbRecv, api.replyRecv),
      word,
      word,
      fc.array(word, { maxLength: 4 }),
      fc.array(word, { maxLength: 3 }),
      fc.option(fc.tuple(word, word, word)),
    )
    .map(([f, cptr, label, mrs, cs, r]) => f(cptr, r === null ? api.msg(label, mrs, cs) : api.receivePath(...r, api.msg(label, mrs, cs)))),
  fc.tuple(word, fc.constantFrom(api.signal, api.wait, api.poll)).map(([x, f]) => f(x)),
);
/** The cap each method is on, so that reading applies. */
const capFor = (e: Event): Cap | undefined => {
  if (e.kind !== 'syscall') return undefined;
  // signal, wait and poll: a notification's, their message no more than libsel4's info 0.
  if (e.mrs === undefined && (e.info === undefined || e.info === 0)) return { _tag: 'NotificationCap' } as unknown as Cap;
  if (e.info === undefined) return undefined;
  const label = INVOCATION_LABELS[api.messageInfoFromWord(e.info).label] ?? '';
  const tag = label.startsWith('Untyped')
    ? 'UntypedCap'
    : label.startsWith('CNode')
      ? 'CNodeCap'
      : label.startsWith('TCB')
        ? 'ThreadCap'
        : label.startsWith('Domain')
          ? 'DomainCap'
          : 'EndpointCap';
  return { _tag: tag } as unknown as Cap;
};
const others: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constant('memory' as const), op: fc.constantFrom('read' as const, 'write' as const), vaddr: word }, { requiredKeys: ['kind', 'op', 'vaddr'] }),
  fc.record({ kind: fc.constant('memory' as const), op: fc.constantFrom('read' as const, 'write' as const), vaddr: word, value: word }),
  fc.constant<Event>({ kind: 'exception' }),
  fc.constant<Event>({ kind: 'tick' }),
  fc.integer({ min: 0, max: MAX_IRQ }).map((irq): Event => ({ kind: 'interrupt', irq })),
);

describe('refinement/scenario/asTest: a trace as a test to paste', () => {
  it('prints every event as code that builds that very event, whatever its registers hold', () => {
    const readings = new Set<string>();
    fc.assert(
      fc.property(fc.oneof(syscalls, built, others), caps, fc.boolean(), (e, anyCap, own) => {
        const r = eventCode(e, own ? capFor(e) : anyCap);
        readings.add(r.code.replace(/[( ].*$/s, ''));
        expect(canonicalEvent(evaluate(`return ${r.code};`) as Event)).toBe(canonicalEvent(e));
      }),
      { seed: 7, numRuns: 5000 },
    );
    // The readings reached go beyond the raw registers: the methods, invocations by name, IPC.
    for (const name of [
      'CNode.mint',
      'CNode.rotate',
      'TCB.configure',
      'TCB.copyRegisters',
      'Untyped.retype',
      'DomainSet.scheduleConfigure',
      'invoke',
      'call',
      'recv',
      'signal',
      'syscall',
      'store',
      'tick',
    ])
      expect(readings).toContain(name);
  });

  it('carries the options the trace ran with: a selection of invariants, none, strictness', () => {
    const events = generatedTraces(3, 1, 20)[0] ?? [];
    const print = (options: RunOptions) => {
      const text = asTest({ title: 't', events, options, story: tell(events, options), importFrom: 'sel4-spec' });
      return { text, options: stepsOfTest(text).options as Record<string, unknown> };
    };
    const some = print({ config: CHECK_BOOT_CONFIG, checkSpec: invariantsNamed(['queuesWellFormed', 'cdtAcyclic']) });
    expect(some.text).toContain("checkSpec: invariantsNamed(['cdtAcyclic', 'queuesWellFormed'])");
    expect((some.options['checkSpec'] as { invariants: string[] }).invariants).toEqual(['cdtAcyclic', 'queuesWellFormed']);
    expect(some.text).toMatch(/^import \{ [^}]*\binvariantsNamed\b[^}]*\} from 'sel4-spec';$/m);
    expect(print({ config: CHECK_BOOT_CONFIG, strict: true }).options).toMatchObject({ checkSpec: null, strict: true });
    expect(print({ config: CHECK_BOOT_CONFIG, checkSpec: wellFormed }).options).not.toHaveProperty('checkSpec');
  });

  it('prints generated traces as tests whose steps are the trace, each addressed to the thread the story names', () => {
    const heads = new Set<string>();
    for (const events of generatedTraces(3, 12, 60)) {
      const options = { config: CHECK_BOOT_CONFIG };
      const story = tell(events, options);
      const text = asTest({ title: 'gen.trace.json', events, options, story, importFrom: 'sel4-spec' });
      const { steps, options: printed } = stepsOfTest(text);
      expect(steps.map((s) => canonicalEvent(eventOf(s)))).toEqual(events.slice(0, steps.length).map(canonicalEvent));
      expect(steps).toHaveLength(story.failure === undefined ? events.length : story.steps.length);
      steps.forEach((s, i) => {
        const told = story.steps[i];
        if (told === undefined || told.hardware) expect('as' in s).toBe(false);
        else expect(s).toMatchObject({ as: told.actorName });
      });
      // The trace's own boot schedule travels with it.
      expect(printed).toMatchObject({ config: { domainSchedule: CHECK_BOOT_CONFIG.domainSchedule } });
      for (const m of text.matchAll(/as\(\w+, ([\w.]+)\(/g)) heads.add(m[1] as string);
      // Only the names used are imported, and every one used is.
      const imported = new Set((/^import \{ (.*) \} from 'sel4-spec';$/m.exec(text)?.[1] ?? '').split(', '));
      for (const m of text
        .replace(/\/\*\*[\s\S]*?\*\//, '')
        .replace(/\/\/.*$/gm, '')
        .matchAll(/\b([A-Za-z]\w*)(?=[.(])/g))
        if (m[1] !== undefined && m[1] in api && !['it', 'Object'].includes(m[1])) expect(imported).toContain(m[1]);
    }
    expect(heads.size).toBeGreaterThan(5);
  });
});
