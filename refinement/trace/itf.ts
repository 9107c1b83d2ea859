/**
 * A trace with its spec states in the Informal Trace Format (Apalache
 * ADR-015), what Quint and its trace viewer read: one ITF state per spec
 * state (the boot state, then the state after each event), one ITF variable
 * per field of the spec state, plus `event` and `outcome` (strings, as the
 * report writes them).
 *
 * Values follow the format's encodings, as Quint writes them: every integer
 * as `{"#bigint": "<decimal>"}`, lists as arrays, records as objects, sets as
 * `{"#set": [...]}` and maps as `{"#map": [[key, value], ...]}` (both in
 * ascending key order), and the spec's tagged unions as Quint's variants,
 * `{"tag": ..., "value": ...}` (the value the other fields as a record, or
 * the empty tuple); a field that may be absent is Quint's Option, `Some` of
 * its value or `None`.
 * `decodeItfValue` reads these back (test: they round-trip).
 */
import type { KernelState } from '../../spec/model/state';

export type ItfValue = boolean | string | ItfValue[] | { readonly [k: string]: ItfValue };

export const ITF_FORMAT_DESCRIPTION = 'https://apalache-mc.org/docs/adr/015adr-trace.html';

const NONE: ItfValue = { tag: 'None', value: { '#tup': [] } };

/**
 * The spec's fields that may be null (spec/model/structures.ts): as Quint's
 * Option, `Some` of their value or `None`, so a field has one type in every
 * state. (test/refinement/itf.test.ts checks that no other field is ever null.)
 */
export const OPTIONAL_FIELDS: ReadonlySet<string> = new Set(['fault', 'boundNotification', 'boundTCB', 'mapped', 'mappedASID']);

const fieldValue = (key: string, v: unknown): ItfValue => (OPTIONAL_FIELDS.has(key) && v !== null ? { tag: 'Some', value: itfValue(v) } : itfValue(v));

const isMapLike = (x: object): x is ReadonlyMap<unknown, unknown> =>
  typeof (x as { entries?: unknown }).entries === 'function' && typeof (x as { get?: unknown }).get === 'function';
const isSetLike = (x: object): x is ReadonlySet<unknown> =>
  typeof (x as { has?: unknown }).has === 'function' && !isMapLike(x) && typeof (x as { add?: unknown }).add === 'function';

/** Keys in ascending order: numbers by value, anything else by its text. */
const ascending = (a: unknown, b: unknown): number => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);

/** One value of the spec state in ITF. */
export const itfValue = (x: unknown): ItfValue => {
  if (typeof x === 'boolean' || typeof x === 'string') return x;
  if (typeof x === 'number') {
    if (!Number.isSafeInteger(x)) throw new Error(`ITF: ${x} is not an integer`);
    return { '#bigint': String(x) };
  }
  if (typeof x === 'bigint') return { '#bigint': String(x) };
  if (x === null || x === undefined) return NONE;
  if (Array.isArray(x)) return x.map(itfValue);
  if (typeof x !== 'object') throw new Error(`ITF: a ${typeof x} has no encoding`);
  if (isMapLike(x))
    return {
      '#map': [...x.entries()].sort((a, b) => ascending(a[0], b[0])).map(([k, v]) => [itfValue(k), itfValue(v)]),
    };
  if (isSetLike(x)) return { '#set': [...x.values()].sort(ascending).map(itfValue) };
  const fields = Object.entries(x as Record<string, unknown>).filter(([, v]) => v !== undefined);
  const tag = (x as { _tag?: unknown })._tag;
  if (typeof tag === 'string') {
    const rest = fields.filter(([k]) => k !== '_tag');
    return { tag, value: rest.length === 0 ? { '#tup': [] } : Object.fromEntries(rest.map(([k, v]) => [k, fieldValue(k, v)])) };
  }
  return Object.fromEntries(fields.map(([k, v]) => [k, fieldValue(k, v)]));
};

/** An ITF value read back: integers as numbers (bigints past 2^53), maps and sets as Map and Set, variants with `_tag`, None as null. */
export const decodeItfValue = (v: ItfValue): unknown => {
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(decodeItfValue);
  const o = v as Record<string, ItfValue>;
  if ('#bigint' in o) {
    const n = BigInt(o['#bigint'] as string);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if ('#tup' in o) return (o['#tup'] as ItfValue[]).map(decodeItfValue);
  if ('#set' in o) return new Set((o['#set'] as ItfValue[]).map(decodeItfValue));
  if ('#map' in o) return new Map((o['#map'] as ItfValue[][]).map(([k, x]) => [decodeItfValue(k as ItfValue), decodeItfValue(x as ItfValue)]));
  if (typeof o['tag'] === 'string' && 'value' in o && Object.keys(o).length === 2) {
    if (o['tag'] === 'None') return null;
    if (o['tag'] === 'Some') return decodeItfValue(o['value'] as ItfValue);
    const value = o['value'] as ItfValue;
    const rest = typeof value === 'object' && !Array.isArray(value) && '#tup' in value ? {} : (decodeItfValue(value) as Record<string, unknown>);
    return { _tag: o['tag'], ...rest };
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decodeItfValue(x)]));
};

export interface ItfTrace {
  readonly '#meta': Readonly<Record<string, string>>;
  readonly vars: readonly string[];
  /** Each state's `#meta` holds its index (a plain JSON number, as Quint writes it); the other keys are the vars. */
  readonly states: ReadonlyArray<Readonly<Record<string, ItfValue | { readonly index: number }>>>;
}

/** The states of a trace (the boot state first), each with the event that led to it and its outcome, as an ITF trace. */
export const toItf = (source: string, states: readonly KernelState[], events: readonly string[], outcomes: readonly string[]): ItfTrace => {
  const first = states[0];
  const fields = first === undefined ? [] : Object.keys(first);
  const vars = [...fields, 'event', 'outcome'];
  return {
    '#meta': {
      format: 'ITF',
      'format-description': ITF_FORMAT_DESCRIPTION,
      source,
      description: `sel4-spec export of ${source}: the spec state at boot and after each event`,
    },
    vars,
    states: states.map((s, i) => ({
      '#meta': { index: i },
      ...Object.fromEntries(fields.map((f) => [f, itfValue((s as unknown as Record<string, unknown>)[f])])),
      event: i === 0 ? 'boot' : (events[i - 1] ?? ''),
      outcome: i === 0 ? '' : (outcomes[i - 1] ?? ''),
    })),
  };
};
