/**
 * How the command line talks: the exit codes, one bounded line per error, and
 * where each kind of output goes. With `--json`, standard output carries one
 * JSON object and nothing else; the human report goes to standard error.
 */
import { oneLine } from '../crash';
import { MAX_ERROR_LINE } from '../trace/codec';

/** Exit codes, the same for every command (README, "Exit codes"). */
export const EXIT = {
  /** The kernels agree (check, replay), every mutant is caught (hunt), the command did its job. */
  ok: 0,
  /** A counterexample (check, replay) or a mutant that survived (hunt). */
  failed: 1,
  /** Bad usage or input: an unknown option, a malformed file, an output that cannot be written. */
  usage: 2,
  /** An error of the tool itself (a bug in sel4-spec, not in the kernels it checks). */
  internal: 3,
  /** Interrupted: 128 + the signal number. */
  SIGINT: 130,
  SIGTERM: 143,
  /** Standard output closed under a command still running. */
  SIGPIPE: 141,
} as const;

/** Bad usage or input: reported as one line, exit 2. */
export class UsageError extends Error {}

/** A user-supplied text inside a message: quoted and cut short. */
export const quote = (s: string, max = 80): string => `'${oneLine(s, max)}'`;

/** Where a command writes: standard output and standard error, or a test's buffers. */
export interface Streams {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** The stream progress is drawn on (none: no progress). */
  readonly progress?: NodeJS.WriteStream;
}

/** Write to a standard stream, ignoring a stream that is gone (its error handler decides what that means). */
const write = (stream: NodeJS.WriteStream, text: string): void => {
  if (stream.destroyed || !stream.writable) return;
  try {
    stream.write(text);
  } catch {
    // Reported by the stream's 'error' handler, installed by watchStandardStreams.
  }
};

export const processStreams: Streams = {
  out: (text) => write(process.stdout, text),
  err: (text) => write(process.stderr, text),
  progress: process.stderr,
};

/** One line on standard error, `sel4-spec: ` first, at most MAX_ERROR_LINE characters, no newlines inside. */
export const errorLine = (io: Streams, message: string): void => io.err(oneLine(`sel4-spec: ${message}`, MAX_ERROR_LINE) + '\n');

export interface Output {
  /** A line of the human report (stdout, or stderr with --json). */
  readonly line: (s: string) => void;
  /** The one JSON object of --json (stdout). */
  readonly json: (value: unknown) => void;
}

export const output = (io: Streams, json: boolean): Output => ({
  line: (s) => (json ? io.err : io.out)(s + '\n'),
  json: (value) => io.out(JSON.stringify(value) + '\n'),
});

/**
 * A closed pipe on stdout (`sel4-spec mutants | head`) ends the command
 * quietly: with its own exit code if it had finished, else 141 (128 + SIGPIPE,
 * what a killed writer reports), never 0 for work cut short. Any other write
 * error there (a full disk) is one line and exit 2; errors on stderr are
 * ignored, as there is nowhere left to report them.
 */
export const watchStandardStreams = (finished: () => boolean): void => {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(finished() ? (process.exitCode ?? EXIT.ok) : EXIT.SIGPIPE);
    errorLine(processStreams, `cannot write to standard output: ${e.code ?? e.message}`);
    process.exit(EXIT.usage);
  });
  process.stderr.on('error', () => {});
};
