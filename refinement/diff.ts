/**
 * Structural comparison of two abstract states: a fast equality for the step
 * loop, and on failure the list of paths where they differ, rendered in the
 * spec's own terms (e.g. `caps[0x10100140]._tag: spec EndpointCap, impl NullCap`).
 */

export interface Difference {
  readonly path: string;
  readonly spec: unknown;
  readonly impl: unknown;
}

import { PMap, PSet } from '../spec/model/persistent';

/** The state's maps are persistent (PMap) or built in (inside objects); both compare by content. */
const isMap = (x: unknown): x is ReadonlyMap<unknown, unknown> => x instanceof Map || x instanceof PMap;
const isSet = (x: unknown): x is ReadonlySet<unknown> => x instanceof Set || x instanceof PSet;

const isPlainObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x) && !isMap(x) && !isSet(x);

/** Deep structural equality over the values states are made of (maps and sets compare by content). */
export const deepEqual = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  // The common cases first, by prototype: records and arrays (a state is mostly these).
  const proto = Object.getPrototypeOf(a);
  if (proto === Object.getPrototypeOf(b)) {
    if (proto === Object.prototype) return recordsEqual(a as Record<string, unknown>, b as Record<string, unknown>);
    if (proto === Array.prototype) return arraysEqual(a as unknown[], b as unknown[]);
  }
  return deepEqualSlow(a, b as object);
};

const recordsEqual = (a: Record<string, unknown>, b: Record<string, unknown>): boolean => {
  let n = 0;
  for (const key in a) {
    if (!Object.prototype.hasOwnProperty.call(b, key) || !deepEqual(a[key], b[key])) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
};

const arraysEqual = (a: readonly unknown[], b: readonly unknown[]): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !deepEqual(a[i], b[i])) return false;
  return true;
};

const deepEqualSlow = (a: object, b: object): boolean => {
  if (isMap(a)) {
    if (!isMap(b) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  if (isSet(a)) {
    if (!isSet(b) || a.size !== b.size) return false;
    for (const x of a) if (!b.has(x)) return false;
    return true;
  }
  if (Array.isArray(a)) return Array.isArray(b) && arraysEqual(a, b);
  if (!isPlainObject(b) || Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const key of ka) if (!deepEqual((a as Record<string, unknown>)[key], b[key])) return false;
  return true;
};

const keyText = (k: unknown): string => (typeof k === 'number' && k >= 0x1000 ? '0x' + k.toString(16) : String(k));

const sortKeys = (ks: unknown[]): unknown[] => [...ks].sort((x, y) => (typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1));

const ABSENT = Symbol('absent');

/** Every path where the two values differ (at most `limit`), most specific first. */
export const diff = (spec: unknown, impl: unknown, limit = 50): Difference[] => {
  const out: Difference[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (out.length >= limit || deepEqual(a, b)) return;
    const show = (x: unknown) => (x === ABSENT ? undefined : x);
    if (isMap(a) && isMap(b)) {
      for (const k of sortKeys([...new Set([...a.keys(), ...b.keys()])])) walk(a.has(k) ? a.get(k) : ABSENT, b.has(k) ? b.get(k) : ABSENT, `${path}[${keyText(k)}]`);
      return;
    }
    if (isSet(a) && isSet(b)) {
      const onlyA = sortKeys([...a].filter((x) => !b.has(x)));
      const onlyB = sortKeys([...b].filter((x) => !a.has(x)));
      out.push({ path, spec: onlyA.map(keyText).join(', ') || '(none extra)', impl: onlyB.map(keyText).join(', ') || '(none extra)' });
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) {
        out.push({ path: `${path}.length`, spec: a.length, impl: b.length });
      }
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`);
      return;
    }
    if (isPlainObject(a) && isPlainObject(b)) {
      if (a['_tag'] !== b['_tag']) {
        out.push({ path: `${path}._tag`, spec: a['_tag'], impl: b['_tag'] });
        return;
      }
      for (const k of sortKeys([...new Set([...Object.keys(a), ...Object.keys(b)])]) as string[]) walk(k in a ? a[k] : ABSENT, k in b ? b[k] : ABSENT, `${path}.${k}`);
      return;
    }
    out.push({ path, spec: show(a), impl: show(b) });
  };
  walk(spec, impl, '');
  return out.map((d) => ({ ...d, path: d.path.replace(/^\./, '') }));
};

/** A compact, readable rendering of a value inside a difference report. */
export const render = (x: unknown): string => {
  if (x === undefined) return '(absent)';
  if (typeof x === 'bigint') return `${x}n`;
  if (typeof x === 'number') return x >= 0x1000 ? '0x' + x.toString(16) : String(x);
  if (typeof x === 'string') return x;
  if (isMap(x)) return `{${[...x.entries()].map(([k, v]) => `${keyText(k)}: ${render(v)}`).join(', ')}}`;
  if (isSet(x)) return `{${[...x].map(keyText).join(', ')}}`;
  if (Array.isArray(x)) return `[${x.map(render).join(', ')}]`;
  if (isPlainObject(x)) {
    const tag = typeof x['_tag'] === 'string' ? x['_tag'] : '';
    const fields = Object.entries(x)
      .filter(([k]) => k !== '_tag')
      .map(([k, v]) => `${k}=${render(v)}`);
    return fields.length === 0 ? tag || '{}' : `${tag}(${fields.join(', ')})`;
  }
  return String(x);
};

/**
 * Whether `spec` equals `impl`, knowing that `specBefore` equalled
 * `implBefore` and each is the other's update: a persistent collection is
 * compared only at the keys either side wrote since (its change journal
 * says which), everything else whole. A collection with no history back to
 * its earlier version (built afresh) is compared whole.
 */
const sameKind = (x: PMap<unknown, unknown> | PSet<unknown>, before: unknown): boolean => (x instanceof PMap ? before instanceof PMap : before instanceof PSet);

export const equalSince = (specBefore: unknown, spec: unknown, implBefore: unknown, impl: unknown): boolean => {
  // Neither side replaced it: still equal, as before.
  if (spec === impl || (spec === specBefore && impl === implBefore)) return true;
  if ((spec instanceof PMap && impl instanceof PMap) || (spec instanceof PSet && impl instanceof PSet)) {
    if (spec.size !== impl.size) return false;
    const specKeys = sameKind(spec, specBefore) ? spec.changedSince(specBefore as never) : null;
    const implKeys = sameKind(impl, implBefore) ? impl.changedSince(implBefore as never) : null;
    if (specKeys === null || implKeys === null) return deepEqual(spec, impl);
    const same = (key: unknown) =>
      spec instanceof PMap
        ? spec.has(key) === (impl as PMap<unknown, unknown>).has(key) && deepEqual(spec.get(key), (impl as PMap<unknown, unknown>).get(key))
        : spec.has(key) === impl.has(key);
    for (const key of specKeys) if (!same(key)) return false;
    for (const key of implKeys) if (!specKeys.has(key) && !same(key)) return false;
    return true;
  }
  if (isPlainObject(spec) && isPlainObject(impl) && isPlainObject(specBefore) && isPlainObject(implBefore) && !('_tag' in spec)) {
    const keys = Object.keys(spec);
    if (keys.length !== Object.keys(impl).length) return false;
    for (const key of keys) if (!(key in impl) || !equalSince(specBefore[key], spec[key], implBefore[key], impl[key])) return false;
    return true;
  }
  return deepEqual(spec, impl);
};
