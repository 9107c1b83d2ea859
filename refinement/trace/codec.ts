/**
 * The trace file: a versioned JSON document that replays on its own, without
 * the generator. It records the boot configuration, the mutants switched on,
 * the events, and where it came from (the seed and fast-check path). The io-ts
 * codec is the single source of its type; decoding failures are rendered as a
 * path and a reason, never a stack trace.
 */
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import * as t from 'io-ts';
import { type BootConfig, Event, defaultBootConfig } from '../../spec/api';

export const TRACE_VERSION = 1;

/** A tick count beyond 2^53, written as a decimal string. */
const TickCount = new t.Type<bigint, string, unknown>(
  'a decimal tick count',
  (u): u is bigint => typeof u === 'bigint',
  (u, c) => (typeof u === 'string' && /^\d{1,20}$/.test(u) ? t.success(BigInt(u)) : t.failure(u, c, 'a decimal string of ticks (e.g. "8")')),
  (b) => b.toString(),
);

const DomainEntry = t.type({ domain: t.number, length: TickCount }, 'DomainEntry');

export const TraceFile = t.intersection(
  [
    t.type({
      version: t.literal(TRACE_VERSION),
      events: t.array(Event),
    }),
    t.partial({
      seed: t.number,
      path: t.string,
      mutants: t.array(t.string),
      /** The static domain schedule the kernels boot with, durations as decimal strings (they may exceed 2^53). */
      domainSchedule: t.array(DomainEntry),
      /** A human-readable account of the failure, if this trace was a counterexample. */
      failure: t.unknown,
      /** The fastpath mode the trace ran with ('both' checks slow and fast kernels against each other). */
      fastpath: t.union([t.boolean, t.keyof({ off: null, on: null, both: null })]),
      /** Whether the kernel invariants were checked after every event (replay checks them unless this is false). */
      invariants: t.boolean,
    }),
  ],
  'TraceFile',
);
export type TraceFile = t.TypeOf<typeof TraceFile>;

/** The boot configuration a trace file asks for (seL4's default when it names none). */
export const bootConfigOf = (trace: TraceFile): BootConfig =>
  trace.domainSchedule === undefined ? defaultBootConfig : { domainSchedule: trace.domainSchedule };

/** A boundary error of the tool: what is wrong and where (never mixed with kernel errors). */
export interface InputError {
  readonly _tag: 'InputError';
  readonly where: string;
  readonly message: string;
}

const describe = (e: t.ValidationError): string => {
  let path = '';
  e.context.forEach((c, i) => {
    const parent = e.context[i - 1]?.type;
    if (parent === undefined || parent instanceof t.UnionType || parent instanceof t.IntersectionType) return;
    const isArray = parent instanceof t.ArrayType || (parent instanceof t.RefinementType && parent.type instanceof t.ArrayType);
    path += isArray ? `[${c.key}]` : `${path === '' ? '' : '.'}${c.key}`;
  });
  const expected = e.message ?? e.context[e.context.length - 1]?.type.name ?? 'a valid value';
  const got = JSON.stringify(e.value);
  const shown = got === undefined ? 'nothing' : got.length > 40 ? got.slice(0, 40) + '…' : got;
  return `${path === '' ? '(top level)' : path}: expected ${expected}, got ${shown}`;
};

const EVENT_KINDS = ['syscall', 'memory', 'exception', 'interrupt', 'tick'];

/** An event whose kind is unknown gets its own message: io-ts would only say "expected Event". */
const unknownKind = (json: unknown): string | undefined => {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) return undefined;
  const events = (json as { events: unknown[] }).events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const kind = typeof e === 'object' && e !== null ? (e as { kind?: unknown }).kind : undefined;
    if (!EVENT_KINDS.includes(kind as string))
      return `events[${i}].kind: expected one of ${EVENT_KINDS.join(', ')}, got ${JSON.stringify(kind) ?? 'nothing'}`;
  }
  return undefined;
};

/** Decode a trace document; the error names the first bad field by its path. */
export const decodeTrace = (json: unknown, where: string): E.Either<InputError, TraceFile> => {
  const kind = unknownKind(json);
  if (kind !== undefined) return E.left({ _tag: 'InputError', where, message: kind });
  return pipe(
    TraceFile.decode(json),
    E.mapLeft((errors) => {
      // Prefer the deepest error: it names the field, not the union it sits in.
      const deepest = [...errors].sort((a, b) => b.context.length - a.context.length)[0];
      return { _tag: 'InputError', where, message: deepest === undefined ? 'not a trace file' : describe(deepest) };
    }),
  );
};

/** Parse and decode a trace file's text. */
export const parseTrace = (text: string, where: string): E.Either<InputError, TraceFile> => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return E.left({ _tag: 'InputError', where, message: `not valid JSON (${(e as Error).message})` });
  }
  return decodeTrace(json, where);
};
