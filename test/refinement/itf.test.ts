import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AllRights, CNode, Untyped } from '../../refinement/scenario';
import { deepEqual } from '../../refinement/diff';
import { type ItfTrace, type ItfValue, OPTIONAL_FIELDS, decodeItfValue, itfValue } from '../../refinement/trace/itf';
import { CNODE, FREE, ObjType, untypedSlot } from '../helpers/boot';
import { jsonOf, runCli, tmp } from '../helpers/cli';
import { generatedSpecStates } from '../helpers/traces';

/** ADR-015's value rules: the special forms alone in their object, records free of `#` keys, no JSON numbers. */
const itfValueErrors = (v: unknown, at: string): string[] => {
  if (typeof v === 'boolean' || typeof v === 'string') return [];
  if (typeof v === 'number') return [`${at}: a JSON number (this exporter writes every integer as #bigint)`];
  if (Array.isArray(v)) return v.flatMap((x, i) => itfValueErrors(x, `${at}[${i}]`));
  if (typeof v !== 'object' || v === null) return [`${at}: ${String(v)} is no ITF value`];
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const special = keys.filter((k) => k.startsWith('#'));
  if (special.length > 0) {
    if (keys.length !== 1) return [`${at}: ${special[0]} is not alone in its object`];
    const [k] = special;
    const x = o[k as string];
    switch (k) {
      case '#bigint':
        return typeof x === 'string' && /^-?(0|[1-9]\d*)$/.test(x) ? [] : [`${at}: #bigint ${JSON.stringify(x)} is not a decimal integer`];
      case '#tup':
        return Array.isArray(x) ? x.flatMap((y, i) => itfValueErrors(y, `${at}.#tup[${i}]`)) : [`${at}: #tup is not a list`];
      case '#set': {
        if (!Array.isArray(x)) return [`${at}: #set is not a list`];
        const texts = x.map((y) => JSON.stringify(y));
        return [...(new Set(texts).size === texts.length ? [] : [`${at}: #set repeats an element`]), ...x.flatMap((y, i) => itfValueErrors(y, `${at}.#set[${i}]`))];
      }
      case '#map': {
        if (!Array.isArray(x) || !x.every((p) => Array.isArray(p) && p.length === 2)) return [`${at}: #map is not a list of pairs`];
        const texts = x.map((p) => JSON.stringify((p as unknown[])[0]));
        return [
          ...(new Set(texts).size === texts.length ? [] : [`${at}: #map repeats a key`]),
          ...x.flatMap((p, i) => [...itfValueErrors((p as unknown[])[0], `${at}.#map[${i}].key`), ...itfValueErrors((p as unknown[])[1], `${at}.#map[${i}].value`)]),
        ];
      }
      case '#unserializable':
        return typeof x === 'string' ? [] : [`${at}: #unserializable is not a string`];
      default:
        return [`${at}: ${k} is no ITF form`];
    }
  }
  return keys.flatMap((k) => itfValueErrors(o[k], `${at}.${k}`));
};

/** ADR-015's trace rules: its keys, the vars as a list of names, and each state holding exactly the vars (and its #meta). */
const itfTraceErrors = (t: unknown): string[] => {
  if (typeof t !== 'object' || t === null) return ['the trace is not an object'];
  const o = t as Record<string, unknown>;
  const errors = Object.keys(o)
    .filter((k) => !['#meta', 'params', 'vars', 'states', 'loop'].includes(k))
    .map((k) => `unknown top-level key ${k}`);
  const vars = o['vars'];
  if (!Array.isArray(vars) || !vars.every((v) => typeof v === 'string') || new Set(vars).size !== vars.length) return [...errors, 'vars is not a list of distinct names'];
  const states = o['states'];
  if (!Array.isArray(states)) return [...errors, 'states is not a list'];
  states.forEach((s: Record<string, unknown>, i) => {
    const keys = Object.keys(s).filter((k) => k !== '#meta');
    if (keys.length !== vars.length || !vars.every((v) => v in s)) errors.push(`state ${i} does not hold exactly the vars`);
    if ((s['#meta'] as { index?: unknown } | undefined)?.index !== i) errors.push(`state ${i}'s #meta.index is not ${i}`);
    for (const k of keys) errors.push(...itfValueErrors(s[k], `states[${i}].${k}`));
  });
  return errors;
};

/**
 * A spec value as the ITF decoding gives it back: persistent collections as
 * Map and Set, and bigints as numbers (ITF has one integer type: a small
 * bigint, the domain time, reads back as a number).
 */
const normalised = (x: unknown): unknown => {
  if (typeof x === 'bigint') return Number(x);
  if (Array.isArray(x)) return x.map(normalised);
  if (x instanceof Object && typeof (x as Map<unknown, unknown>).get === 'function' && typeof (x as Map<unknown, unknown>).entries === 'function')
    return new Map([...(x as Map<unknown, unknown>).entries()].map(([k, v]) => [normalised(k), normalised(v)]));
  if (x instanceof Object && typeof (x as Set<unknown>).has === 'function') return new Set([...(x as Set<unknown>).values()].map(normalised));
  if (typeof x === 'object' && x !== null) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, normalised(v)]));
  return x;
};

describe('refinement/trace/itf: spec states in the Informal Trace Format', () => {
  it('encodes every field of every state of generated traces by the format rules, and reads back to the same state', () => {
    let values = 0;
    for (const states of generatedSpecStates(21, 3, 60))
      for (const s of states.filter((_, i) => i % 10 === 0))
        for (const [field, x] of Object.entries(s as unknown as Record<string, unknown>)) {
          const v = itfValue(x);
          expect(itfValueErrors(v, field)).toEqual([]);
          expect(deepEqual(decodeItfValue(v), normalised(x)), field).toBe(true);
          values++;
        }
    expect(values).toBeGreaterThan(100);
  });

  it('wraps every field that may be absent as an Option, and no other field is ever absent', () => {
    const nullFields = new Set<string>();
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x instanceof Object && typeof (x as Map<unknown, unknown>).values === 'function' && !(x.constructor === Object))
        for (const v of (x as Map<unknown, unknown>).values()) walk(v);
      else if (typeof x === 'object' && x !== null)
        for (const [k, v] of Object.entries(x)) {
          if (v === null) nullFields.add(k);
          walk(v);
        }
    };
    for (const states of generatedSpecStates(21, 3, 60)) for (const s of states) walk(s);
    expect(nullFields.size).toBeGreaterThan(0);
    for (const f of nullFields) expect(OPTIONAL_FIELDS.has(f), `${f} is null somewhere but not an Option`).toBe(true);
    expect(itfValue({ _tag: 'TCB', boundNotification: 7 })).toEqual({ tag: 'TCB', value: { boundNotification: { tag: 'Some', value: { '#bigint': '7' } } } });
    expect(itfValue({ _tag: 'TCB', boundNotification: null })).toEqual({ tag: 'TCB', value: { boundNotification: { tag: 'None', value: { '#tup': [] } } } });
  });

  it('the validator bites: a JSON number, a special form with company, a # key in a record, a repeated set element', () => {
    expect(itfValueErrors(3, 'x')).toHaveLength(1);
    expect(itfValueErrors({ '#bigint': '3', extra: true }, 'x')).toHaveLength(1);
    expect(itfValueErrors({ '#bigint': '03' }, 'x')).toHaveLength(1);
    expect(itfValueErrors({ '#set': [{ '#bigint': '1' }, { '#bigint': '1' }] }, 'x')).toHaveLength(1);
    expect(itfValueErrors({ '#map': [[true]] }, 'x')).toHaveLength(1);
    expect(itfValueErrors({ field: true, '#tag': 'x' }, 'x')).toHaveLength(1);
    expect(itfTraceErrors({ vars: ['a'], states: [{ '#meta': { index: 0 }, a: true, b: true }] })).toHaveLength(1);
  });

  it('sel4-spec export FILE --itf writes the trace with its states, valid by the format rules', async () => {
    const f = join(tmp(), 'two.trace.json');
    const events = [Untyped.retype(untypedSlot(21), ObjType.Endpoint, 0, CNODE, 0, 0, FREE, 1), CNode.mint(FREE + 1, FREE, AllRights, 5)];
    writeFileSync(f, JSON.stringify({ version: 1, events }));
    const r = await runCli('export', f, '--itf');
    expect(r.code).toBe(0);
    // The trace passes: no line says its states end early.
    expect(r.stderr).toBe('');
    const t = jsonOf(r) as unknown as ItfTrace;
    expect(itfTraceErrors(t)).toEqual([]);
    expect(t['#meta']['format']).toBe('ITF');
    expect(t.states).toHaveLength(3);
    expect(t.vars).toContain('caps');
    expect(t.states.map((s) => s['event'])).toEqual([
      'boot',
      expect.stringMatching(/^T1 \(root task.*\): Call cptr \d+ = rootCNode\[\d+\] UntypedCap/),
      expect.stringMatching(/CNodeMint\(/),
    ]);
    // The badged copy is in the last state's caps.
    const caps = decodeItfValue(t.states[2]?.['caps'] as ItfValue) as Map<number, { _tag: string; badge?: number }>;
    expect([...caps.values()].some((c) => c._tag === 'EndpointCap' && c.badge === 5)).toBe(true);
    const none = await runCli('export', f);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/export needs a format: --itf/);
  });
});
