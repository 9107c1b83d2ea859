/**
 * Small helpers for updating readonly maps, sets and arrays without mutation.
 * Each returns a new collection and leaves its argument untouched. The state's
 * own maps and sets are persistent (PMap, PSet: an update is O(log n)); the
 * small maps inside objects (page-table entries, ASID-pool entries) are
 * copied, which costs their size only.
 */
import { PMap, PSet } from './persistent';

export function mapSet<K, V>(m: PMap<K, V>, k: K, v: V): PMap<K, V>;
export function mapSet<K, V>(m: ReadonlyMap<K, V>, k: K, v: V): ReadonlyMap<K, V>;
export function mapSet<K, V>(m: ReadonlyMap<K, V>, k: K, v: V): ReadonlyMap<K, V> {
  return m instanceof PMap ? (m as PMap<K, V>).set(k, v) : new Map(m).set(k, v);
}

export function mapDelete<K, V>(m: PMap<K, V>, k: K): PMap<K, V>;
export function mapDelete<K, V>(m: ReadonlyMap<K, V>, k: K): ReadonlyMap<K, V>;
export function mapDelete<K, V>(m: ReadonlyMap<K, V>, k: K): ReadonlyMap<K, V> {
  if (m instanceof PMap) return (m as PMap<K, V>).delete(k);
  if (!m.has(k)) return m;
  const n = new Map(m);
  n.delete(k);
  return n;
}

export const setAdd = <A>(s: PSet<A>, a: A): PSet<A> => s.add(a);

export const setDelete = <A>(s: PSet<A>, a: A): PSet<A> => s.delete(a);

export const arrayRemove = <A>(xs: readonly A[], a: A): readonly A[] => xs.filter((x) => x !== a);

export const arrayReplace = <A>(xs: readonly A[], old: A, by: A): readonly A[] => xs.map((x) => (x === old ? by : x));

/** The integers from `from` up to but excluding `to`. */
export const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);

export const arraySet = <A>(xs: readonly A[], i: number, a: A): readonly A[] => {
  const n = xs.slice();
  n[i] = a;
  return n;
};
