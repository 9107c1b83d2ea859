/**
 * Small helpers for updating readonly maps, sets and arrays without mutation.
 * Each returns a new collection and leaves its argument untouched.
 */

export const mapSet = <K, V>(m: ReadonlyMap<K, V>, k: K, v: V): ReadonlyMap<K, V> => new Map(m).set(k, v);

export const mapDelete = <K, V>(m: ReadonlyMap<K, V>, k: K): ReadonlyMap<K, V> => {
  if (!m.has(k)) return m;
  const n = new Map(m);
  n.delete(k);
  return n;
};

export const setAdd = <A>(s: ReadonlySet<A>, a: A): ReadonlySet<A> => (s.has(a) ? s : new Set(s).add(a));

export const setDelete = <A>(s: ReadonlySet<A>, a: A): ReadonlySet<A> => {
  if (!s.has(a)) return s;
  const n = new Set(s);
  n.delete(a);
  return n;
};

export const arrayRemove = <A>(xs: readonly A[], a: A): readonly A[] => xs.filter((x) => x !== a);

export const arrayReplace = <A>(xs: readonly A[], old: A, by: A): readonly A[] => xs.map((x) => (x === old ? by : x));

/** The integers from `from` up to but excluding `to`. */
export const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);

export const arraySet = <A>(xs: readonly A[], i: number, a: A): readonly A[] => {
  const n = xs.slice();
  n[i] = a;
  return n;
};
