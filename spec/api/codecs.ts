/**
 * io-ts combinators for the tool's input formats, stricter than io-ts's own:
 * a record rejects the fields it does not know (a typo must not pass for an
 * absent field, nor an extra field ride along into the state), arrays and
 * integers carry their documented bounds, and a tagged union is decoded by
 * its tag, so that an error names the field that is wrong rather than every
 * alternative of the union.
 */
import * as t from 'io-ts';

/** The values `is` accepts, decoded as they are; `what` says what they are in error messages. */
export const satisfying = <A>(what: string, is: (u: unknown) => u is A): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(
    what,
    is,
    (u, c) => (is(u) ? t.success(u) : t.failure(u, c, what)),
    (a) => a,
  );

/** An integer in [min, max]. */
export const boundedInt = (min: number, max: number, what: string): t.Type<number, number, unknown> =>
  satisfying(what, (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max);

/** An array of at most `max` items. */
export const boundedArray = <C extends t.Mixed>(item: C, max: number, what: string): t.Type<Array<t.TypeOf<C>>, Array<t.OutputOf<C>>, unknown> => {
  const arr = t.array(item);
  return new t.Type<Array<t.TypeOf<C>>, Array<t.OutputOf<C>>, unknown>(
    what,
    (u): u is Array<t.TypeOf<C>> => arr.is(u) && u.length <= max,
    (u, c) => {
      if (!Array.isArray(u)) return t.failure(u, c, what);
      if (u.length > max) return t.failure(`an array of ${u.length} items`, c, what);
      const out: Array<t.TypeOf<C>> = [];
      for (let i = 0; i < u.length; i++) {
        const r = item.validate(u[i], t.appendContext(c, String(i), item, u[i]));
        if (r._tag === 'Left') return r;
        out.push(r.right);
      }
      return t.success(out);
    },
    (a) => a.map((x) => item.encode(x)),
  );
};

/** How a closed record's error about a field it does not know begins. */
export const UNKNOWN_FIELD = 'unknown field';

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

export type Decoded<R extends t.Props, O extends t.Props> = { [K in keyof R]: t.TypeOf<R[K]> } & { [K in keyof O]?: t.TypeOf<O[K]> };
export type Encoded<R extends t.Props, O extends t.Props> = { [K in keyof R]: t.OutputOf<R[K]> } & { [K in keyof O]?: t.OutputOf<O[K]> };

/**
 * A record with `required` and `optional` fields and no others. Decoding builds
 * a fresh object of the known fields only (never the input object itself).
 */
export const closedRecord = <R extends t.Props, O extends t.Props>(name: string, required: R, optional: O): t.Type<Decoded<R, O>, Encoded<R, O>, unknown> => {
  const fields = new Map<string, { readonly codec: t.Mixed; readonly required: boolean }>([
    ...Object.entries(required).map(([k, codec]) => [k, { codec, required: true }] as const),
    ...Object.entries(optional).map(([k, codec]) => [k, { codec, required: false }] as const),
  ]);
  const known = [...fields.keys()].join(', ');
  const is = (u: unknown): u is Decoded<R, O> =>
    isRecord(u) && Object.keys(u).every((k) => fields.has(k)) && [...fields].every(([k, f]) => (u[k] === undefined && !f.required) || f.codec.is(u[k]));
  return new t.Type<Decoded<R, O>, Encoded<R, O>, unknown>(
    name,
    is,
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c, `an object (${name})`);
      for (const k of Object.keys(u)) if (!fields.has(k)) return t.failure(u[k], t.appendContext(c, k, t.unknown, u[k]), `${UNKNOWN_FIELD} (${name} has: ${known})`);
      const out: Record<string, unknown> = {};
      for (const [k, f] of fields) {
        const v = u[k];
        if (v === undefined && !f.required) continue;
        const r = f.codec.validate(v, t.appendContext(c, k, f.codec, v));
        if (r._tag === 'Left') return r;
        out[k] = r.right;
      }
      return t.success(out as Decoded<R, O>);
    },
    (a) => {
      const out: Record<string, unknown> = {};
      for (const [k, f] of fields) {
        const v = (a as Record<string, unknown>)[k];
        if (v !== undefined) out[k] = f.codec.encode(v);
      }
      return out as Encoded<R, O>;
    },
  );
};

/**
 * A union of records told apart by the string in `tag`: the tag picks the one
 * codec that decodes the value, so its errors are the errors reported.
 */
export const taggedUnion = <A extends { readonly [k: string]: unknown }, O>(
  name: string,
  tag: string,
  members: Readonly<Record<string, t.Type<A, O, unknown>>>,
): t.Type<A, O, unknown> => {
  const tags = Object.keys(members);
  const memberOf = (u: unknown): t.Type<A, O, unknown> | null => {
    if (!isRecord(u)) return null;
    const v = u[tag];
    return typeof v === 'string' && Object.prototype.hasOwnProperty.call(members, v) ? (members[v] ?? null) : null;
  };
  return new t.Type<A, O, unknown>(
    name,
    (u): u is A => memberOf(u)?.is(u) === true,
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c, `an object (${name})`);
      const m = memberOf(u);
      if (m === null) return t.failure(u[tag], t.appendContext(c, tag, t.unknown, u[tag]), `one of ${tags.join(', ')}`);
      return m.validate(u, c);
    },
    (a) => {
      const m = memberOf(a);
      if (m === null) throw new TypeError(`${name}: no member for ${String(a[tag])}`);
      return m.encode(a);
    },
  );
};
