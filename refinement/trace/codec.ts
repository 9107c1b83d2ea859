/**
 * The trace file: a versioned JSON document that replays on its own, without
 * the generator. It records the boot configuration, the mutants switched on,
 * the events, and where it came from (the seed and fast-check path). The io-ts
 * codec is the single source of its type and checks every field to its
 * documented bounds, so nothing a file says reaches a kernel unchecked;
 * decoding failures are rendered as one line naming the field and the reason,
 * never a stack trace.
 */
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { type ParseError, parse as parseJsonc, printParseErrorCode } from 'jsonc-parser';
import { type BootConfig, DSCHED_MAX_DURATION, Event, NUM_DOMAINS, NUM_DOMAIN_SCHEDULES, defaultBootConfig } from '../../spec/api';
import { UNKNOWN_FIELD, boundedArray, boundedInt, closedRecord, satisfying } from '../../spec/api/codecs';
import { FASTPATH_MODES, type FastpathMode } from '../run';
import { isMutantName } from '../../properties/mutants';
import { INVARIANT_NAMES, isInvariantName } from '../../invariants/wellFormed';
import { oneLine } from '../crash';

export const TRACE_VERSION = 1;

/** The most events a trace file may hold (a generated trace has a few hundred, at most --steps plans of a few each). */
export const MAX_TRACE_EVENTS = 200_000;
/** The largest trace file read (bytes). */
export const MAX_TRACE_FILE_BYTES = 64 * 2 ** 20;
/** Boot schedule entries: seL4's table has NUM_DOMAIN_SCHEDULES, the last always an end marker. */
export const MAX_SCHEDULE_ENTRIES = NUM_DOMAIN_SCHEDULES - 1;
/** The longest error line the tool prints about an input. */
export const MAX_ERROR_LINE = 300;

/** A tick count up to seL4's 56-bit duration limit, written as a decimal string (it may exceed 2^53). */
const TickCount = new t.Type<bigint, string, unknown>(
  'a decimal tick count',
  (u): u is bigint => typeof u === 'bigint' && u >= 0n && u <= DSCHED_MAX_DURATION,
  (u, c) =>
    typeof u === 'string' && /^\d{1,17}$/.test(u) && BigInt(u) <= DSCHED_MAX_DURATION
      ? t.success(BigInt(u))
      : t.failure(u, c, `a decimal string of ticks, at most ${DSCHED_MAX_DURATION} (e.g. "8")`),
  (b) => b.toString(),
);

const DomainEntry = closedRecord('a domain schedule entry', { domain: boundedInt(0, NUM_DOMAINS - 1, `a domain (0 .. ${NUM_DOMAINS - 1})`), length: TickCount }, {});

/**
 * The boot schedule: 1 to 99 entries, the first not an end marker, and a zero
 * duration only on an end marker (domain 0), as ScheduleConfigure allows.
 */
const DomainSchedule = new t.Type<Array<t.TypeOf<typeof DomainEntry>>, Array<t.OutputOf<typeof DomainEntry>>, unknown>(
  'a domain schedule',
  (u): u is Array<t.TypeOf<typeof DomainEntry>> => Array.isArray(u) && u.every((e) => DomainEntry.is(e)),
  (u, c) => {
    const entries = boundedArray(DomainEntry, MAX_SCHEDULE_ENTRIES, `at most ${MAX_SCHEDULE_ENTRIES} schedule entries`).validate(u, c);
    if (E.isLeft(entries)) return entries;
    const es = entries.right;
    if (es.length === 0) return t.failure(u, c, 'at least one schedule entry');
    const at = (i: number, v: unknown) => t.appendContext(c, String(i), DomainEntry, v);
    for (let i = 0; i < es.length; i++) {
      const e = es[i];
      if (e === undefined || e.length !== 0n) continue;
      if (i === 0) return t.failure(e, at(i, e), 'a first entry that is not an end marker (its length must be above 0)');
      if (e.domain !== 0) return t.failure(e, at(i, e), 'a length above 0 (only an end marker, domain 0, has length 0)');
    }
    return t.success(es);
  },
  (a) => a.map((e) => DomainEntry.encode(e)),
);

const MutantNameCodec = satisfying("a mutant name (see 'sel4-spec mutants')", (u): u is string => typeof u === 'string' && isMutantName(u));

/** Which kernel invariants: all (true), none (false), or a list of their names. */
export const InvariantsField = satisfying(
  "true, false, or a list of invariant names (see 'sel4-spec invariants')",
  (u): u is boolean | string[] => typeof u === 'boolean' || (Array.isArray(u) && u.length <= INVARIANT_NAMES.length && u.every((n) => typeof n === 'string' && isInvariantName(n))),
);

/** fast-check's path to a case: run indices separated by colons. */
const ShrinkPath = satisfying('a fast-check path such as "47:0:3"', (u): u is string => typeof u === 'string' && u.length <= 10_000 && /^(\d{1,9}(:\d{1,9})*)?$/.test(u));

/** The fastpath mode: 'off', 'on' or 'both' (older files say true or false for on and off). */
const FastpathField = satisfying("'off', 'on' or 'both'", (u): u is boolean | FastpathMode => typeof u === 'boolean' || FASTPATH_MODES.some((m) => m === u));

export const TraceFile = closedRecord(
  'a trace file',
  {
    version: t.literal(TRACE_VERSION),
    events: boundedArray(Event, MAX_TRACE_EVENTS, `at most ${MAX_TRACE_EVENTS} events`),
  },
  {
    seed: boundedInt(-0x8000_0000, 0x7fff_ffff, 'a 32-bit seed'),
    path: ShrinkPath,
    mutants: boundedArray(MutantNameCodec, 64, 'at most 64 mutant names'),
    /** The static domain schedule the kernels boot with, durations as decimal strings (they may exceed 2^53). */
    domainSchedule: DomainSchedule,
    /** A human-readable account of the failure, if this trace was a counterexample (not read back). */
    failure: t.unknown,
    /** The fastpath mode the trace ran with ('both' checks slow and fast kernels against each other). */
    fastpath: FastpathField,
    /** The kernel invariants checked after every event: all (true), none (false), or those named (replay checks all unless told otherwise). */
    invariants: InvariantsField,
    /** Whether events the spec does not model were failures (--strict). */
    strict: t.boolean,
  },
);
export type TraceFile = t.TypeOf<typeof TraceFile>;

/** The boot configuration a trace file asks for (seL4's default when it names none). */
export const bootConfigOf = (trace: TraceFile): BootConfig => (trace.domainSchedule === undefined ? defaultBootConfig : { domainSchedule: trace.domainSchedule });

/** A boundary error of the tool: what is wrong and where (never mixed with kernel errors). */
export interface InputError {
  readonly _tag: 'InputError';
  readonly where: string;
  readonly message: string;
}

/**
 * A short preview of any JSON value: at most `max` characters, built without
 * recursion, so a value nested a million deep is shown as cheaply as a number.
 */
export const preview = (v: unknown, max = 40): string => {
  let out = '';
  // A stack of what is left to print: values, or literal text.
  const todo: Array<{ text: string } | { value: unknown }> = [{ value: v }];
  while (todo.length > 0 && out.length <= max) {
    const item = todo.pop() as { text: string } | { value: unknown };
    if ('text' in item) {
      out += item.text;
      continue;
    }
    const x = item.value;
    if (Array.isArray(x)) {
      out += '[';
      todo.push({ text: ']' });
      for (let i = Math.min(x.length, max) - 1; i >= 0; i--) todo.push({ value: x[i] }, ...(i > 0 ? [{ text: ',' }] : []));
    } else if (typeof x === 'object' && x !== null) {
      out += '{';
      todo.push({ text: '}' });
      const keys = Object.keys(x).slice(0, max);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i] as string;
        todo.push({ value: (x as Record<string, unknown>)[k] }, { text: `${JSON.stringify(k.slice(0, max))}:` }, ...(i > 0 ? [{ text: ',' }] : []));
      }
    } else if (x === undefined) {
      out += 'nothing';
    } else {
      out += typeof x === 'string' ? JSON.stringify(x.slice(0, max + 1)) : String(x);
    }
  }
  return out.length > max || todo.length > 0 ? out.slice(0, max) + '…' : out;
};

/** The path of the field an error is about (`events[3].mrs[1]`), from io-ts's context. */
const pathOf = (e: t.ValidationError): string => {
  let path = '';
  e.context.forEach((c, i) => {
    const parent = e.context[i - 1]?.type;
    if (parent === undefined || c.key === '' || parent instanceof t.UnionType || parent instanceof t.IntersectionType) return;
    path += /^\d+$/.test(c.key) ? `[${c.key}]` : `${path === '' ? '' : '.'}${c.key}`;
  });
  return path;
};

const describe = (e: t.ValidationError): string => {
  const path = pathOf(e);
  const where = path === '' ? '(top level)' : path;
  if (e.message?.startsWith(UNKNOWN_FIELD) === true) return `${where}: ${e.message}`;
  const expected = e.message ?? e.context[e.context.length - 1]?.type.name ?? 'a valid value';
  return `${where}: expected ${expected}, got ${preview(e.value)}`;
};

const inputError = (where: string, message: string): InputError => ({
  _tag: 'InputError',
  where,
  message: oneLine(message, MAX_ERROR_LINE),
});

/** Decode a trace document; the error names the first bad field by its path. */
export const decodeTrace = (json: unknown, where: string): E.Either<InputError, TraceFile> => {
  const r = TraceFile.decode(json);
  if (E.isRight(r)) return r;
  // Every combinator stops at its first error, so there is one; prefer the deepest if not.
  const deepest = [...r.left].sort((a, b) => b.context.length - a.context.length)[0];
  return E.left(inputError(where, deepest === undefined ? 'not a trace file' : describe(deepest)));
};

/** Line and column (1-based) of a character offset. */
const lineAndColumn = (text: string, offset: number): { line: number; column: number } => {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++)
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  return { line, column: offset - start + 1 };
};

/** What was found at an offset of the text, for a syntax error. */
const foundAt = (text: string, offset: number): string => {
  const ch = text.codePointAt(offset);
  if (ch === undefined) return 'the end of the file';
  const c = String.fromCodePoint(ch);
  return /^[\x21-\x7e]$/.test(c) ? `'${c}'` : `character U+${ch.toString(16).toUpperCase().padStart(4, '0')}`;
};

/**
 * Where and why text is not JSON, as line and column. V8's own messages quote
 * the file's text (over several lines) and sometimes give no position, so the
 * position comes from jsonc-parser; a text too deeply nested for it falls
 * back to V8's reason alone.
 */
const jsonSyntaxError = (text: string, e: Error): string => {
  try {
    const errors: ParseError[] = [];
    parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (first !== undefined) {
      const { line, column } = lineAndColumn(text, first.offset);
      const why = printParseErrorCode(first.error)
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .toLowerCase();
      return `line ${line} column ${column}: not valid JSON (${why}; found ${foundAt(text, first.offset)})`;
    }
  } catch {
    // Too deep for jsonc-parser's recursion: V8's reason, without its quote of the text.
  }
  const reason = e.message.replace(/,? ?"[\s\S]*" is not valid JSON$/, '').replace(/ in JSON at position \d+.*$/s, '');
  return `not valid JSON (${reason})`;
};

/** Parse and decode a trace file's text. */
export const parseTrace = (text: string, where: string): E.Either<InputError, TraceFile> => {
  let json: unknown;
  // An editor's byte-order mark is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    json = JSON.parse(text);
  } catch (e) {
    return E.left(inputError(where, e instanceof Error ? jsonSyntaxError(text, e) : 'not valid JSON'));
  }
  return decodeTrace(json, where);
};
