/**
 * What an exception thrown inside a checked step says about itself: its name
 * and message on one bounded line, and its stack as frames relative to the
 * source tree, so that a crash report reads the same on any machine and the
 * same seed gives the same output byte for byte.
 */
import { fileURLToPath } from 'node:url';
import { dirname, resolve, sep } from 'node:path';

/** The root of the source tree (this file lives in refinement/). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..') + sep;

/** The longest message kept from an exception (the rest is cut with an ellipsis). */
const MAX_CRASH_MESSAGE = 300;
/** Frames kept from a stack: enough to find the throw and who called it. */
const MAX_CRASH_FRAMES = 12;

export interface Thrown {
  /** `TypeError: boom`, on one line, bounded. */
  readonly message: string;
  /** The stack's frames (`at cteRevoke (impl/object/cnode.ts:123:11)`), innermost first. */
  readonly stack: readonly string[];
}

/**
 * Cut a text to one line of at most `max` characters, with nothing a terminal
 * would act on: control characters (C0, DEL, C1) and the bidirectional
 * overrides become '?', and a cut never splits a surrogate pair.
 */
export const oneLine = (s: string, max: number): string => {
  const flat = s
    .replace(/\s*[\r\n]+\s*/g, ' ⏎ ')
    .replace(/\t/g, ' ')
    // Control characters are what this replaces.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '?');
  if (flat.length <= max) return flat;
  let cut = max - 1;
  const last = flat.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return flat.slice(0, cut) + '…';
};

const relativeFrame = (line: string): string =>
  line
    .trim()
    .replace(/file:\/\/\/?/g, '/')
    .split(ROOT)
    .join('')
    .replace(/\?[^:)]*(?=:\d)/g, '');

/**
 * Describe anything that was thrown (an Error or any other value). Frames from
 * `below` outwards (the checker's own, which call the code that threw) are
 * left out, so a crash reads the same in a check and in its replay.
 */
export const describeThrown = (e: unknown, below?: RegExp): Thrown => {
  try {
    return describe(e, below);
  } catch {
    // Even the thrown value's own accessors threw (a stack or message getter): say that much.
    return { message: 'a value was thrown that cannot be described (its accessors throw)', stack: [] };
  }
};

const describe = (e: unknown, below?: RegExp): Thrown => {
  if (e instanceof Error) {
    const all = (e.stack ?? '')
      .split('\n')
      .filter((l) => /^\s+at /.test(l))
      .map(relativeFrame);
    const cut = below === undefined ? -1 : all.findIndex((l) => below.test(l));
    const frames = (cut < 0 ? all : all.slice(0, cut)).filter((l) => !l.includes('node:internal') && !l.includes('node_modules')).slice(0, MAX_CRASH_FRAMES);
    return { message: oneLine(`${e.name}: ${e.message}`, MAX_CRASH_MESSAGE), stack: frames };
  }
  let shown: string;
  try {
    shown = typeof e === 'string' ? JSON.stringify(e) : String(e);
  } catch {
    shown = Object.prototype.toString.call(e);
  }
  return { message: oneLine(`a non-Error value was thrown: ${shown}`, MAX_CRASH_MESSAGE), stack: [] };
};
