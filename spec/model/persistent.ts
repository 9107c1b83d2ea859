/**
 * The persistent maps and sets the abstract state is made of: Immutable.js's
 * ordered collections (hash array mapped tries with structural sharing, so an
 * update is O(log n) and every older state stays valid), behind the standard
 * ReadonlyMap / ReadonlySet interfaces so the spec reads them as before.
 *
 * Why Immutable.js: it is the most used persistent-collection library for
 * JavaScript, typed, with no dependencies; its ordered variants iterate in
 * first-insertion order as the built-in Map and Set do, so replacing them
 * changes no iteration order the spec or the trace generator sees.
 *
 * Each version also carries its change journal: a persistent list of the keys
 * written since the empty collection, shared with the versions it came from.
 * `changedSince(older)` reads the keys written between two versions in time
 * proportional to their number, which lets the checker compare only what a
 * step changed without the spec doing anything but build its next state.
 */
import { OrderedMap, OrderedSet } from 'immutable';

/** One write in a collection's history: the key, the history before it, and its length. */
interface Change<K> {
  readonly key: K;
  readonly before: Change<K> | null;
  readonly length: number;
}

const lengthOf = <K>(c: Change<K> | null): number => (c === null ? 0 : c.length);
const record = <K>(before: Change<K> | null, key: K): Change<K> => ({ key, before, length: lengthOf(before) + 1 });

/** The keys written from `older` to `newer`, or null when `older` is not an earlier version of `newer`. */
const written = <K>(newer: Change<K> | null, older: Change<K> | null): ReadonlySet<K> | null => {
  let steps = lengthOf(newer) - lengthOf(older);
  if (steps < 0) return null;
  const keys = new Set<K>();
  let c = newer;
  for (; steps > 0 && c !== null; steps--, c = c.before) keys.add(c.key);
  return c === older ? keys : null;
};

export class PMap<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    private readonly map: OrderedMap<K, V>,
    private readonly changes: Change<K> | null,
  ) {}

  static empty<K, V>(): PMap<K, V> {
    return new PMap(OrderedMap<K, V>(), null);
  }

  /** A map with these entries, in this order (a fresh history: nothing is known to have been written). */
  static of<K, V>(entries: Iterable<readonly [K, V]>): PMap<K, V> {
    return new PMap(OrderedMap<K, V>([...entries] as Array<[K, V]>), null);
  }

  get size(): number {
    return this.map.size;
  }
  get(k: K): V | undefined {
    return this.map.get(k);
  }
  has(k: K): boolean {
    return this.map.has(k);
  }
  keys(): MapIterator<K> {
    return this.map.keys() as MapIterator<K>;
  }
  values(): MapIterator<V> {
    return this.map.values() as MapIterator<V>;
  }
  entries(): MapIterator<[K, V]> {
    return this.map.entries() as MapIterator<[K, V]>;
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
  forEach(f: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [k, v] of this.map) f(v, k, this);
  }

  /** The map with `k` bound to `v` (itself when it already is). */
  set(k: K, v: V): PMap<K, V> {
    // Immutable.js hands back the same map when nothing changed: no second lookup to find out.
    const next = this.map.set(k, v);
    return next === this.map ? this : new PMap(next, record(this.changes, k));
  }

  /** The map without `k` (itself when it has none). */
  delete(k: K): PMap<K, V> {
    const next = this.map.delete(k);
    return next === this.map ? this : new PMap(next, record(this.changes, k));
  }

  /** The keys bound differently here than in `older`, if this map was made from it by updates; null otherwise. */
  changedSince(older: PMap<K, V>): ReadonlySet<K> | null {
    return this === older ? new Set() : written(this.changes, older.changes);
  }

  get [Symbol.toStringTag](): string {
    return 'PMap';
  }
}

export class PSet<A> implements ReadonlySet<A> {
  private constructor(
    private readonly set: OrderedSet<A>,
    private readonly changes: Change<A> | null,
  ) {}

  static empty<A>(): PSet<A> {
    return new PSet(OrderedSet<A>(), null);
  }

  static of<A>(xs: Iterable<A>): PSet<A> {
    return new PSet(OrderedSet<A>(xs), null);
  }

  get size(): number {
    return this.set.size;
  }
  has(a: A): boolean {
    return this.set.has(a);
  }
  values(): SetIterator<A> {
    return this.set.values() as SetIterator<A>;
  }
  keys(): SetIterator<A> {
    return this.values();
  }
  entries(): SetIterator<[A, A]> {
    return this.set.entries() as SetIterator<[A, A]>;
  }
  [Symbol.iterator](): SetIterator<A> {
    return this.values();
  }
  forEach(f: (value: A, key: A, set: ReadonlySet<A>) => void): void {
    for (const a of this.set) f(a, a, this);
  }

  add(a: A): PSet<A> {
    const next = this.set.add(a);
    return next === this.set ? this : new PSet(next, record(this.changes, a));
  }

  delete(a: A): PSet<A> {
    const next = this.set.delete(a);
    return next === this.set ? this : new PSet(next, record(this.changes, a));
  }

  /** The elements added or removed since `older`, if this set was made from it by updates; null otherwise. */
  changedSince(older: PSet<A>): ReadonlySet<A> | null {
    return this === older ? new Set() : written(this.changes, older.changes);
  }

  get [Symbol.toStringTag](): string {
    return 'PSet';
  }
}
