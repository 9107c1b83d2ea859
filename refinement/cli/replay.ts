/**
 * `sel4-spec replay FILE`: re-run a trace file through the kernels as it was
 * checked (its boot schedule, fastpath mode, invariants and strictness) and
 * print each step with its outcome.
 */
import * as E from 'fp-ts/Either';
import { wellFormed } from '../../invariants/wellFormed';
import { type RunOptions, runEvents } from '../check';
import { fastpathModeOf } from '../run';
import { MAX_TRACE_FILE_BYTES, bootConfigOf, parseTrace } from '../trace/codec';
import { readInputFile } from './files';
import { EXIT, type Streams, UsageError, output } from './io';
import { failureJson, printRun } from '../report/summary';

export interface ReplayFlags {
  json?: boolean;
  mutant: string[];
}

export const replay = (file: string, flags: ReplayFlags, io: Streams): number => {
  const o = output(io, flags.json === true);
  const parsed = parseTrace(readInputFile(file, MAX_TRACE_FILE_BYTES), file);
  if (E.isLeft(parsed)) throw new UsageError(`${parsed.left.where}: ${parsed.left.message}`);
  const trace = parsed.right;
  const mutants = flags.mutant.length > 0 ? flags.mutant : (trace.mutants ?? []);
  // The trace runs as it was checked: its boot schedule, fastpath mode, strictness and invariants (on unless it says otherwise).
  const invariants = trace.invariants ?? true;
  const fastpath = fastpathModeOf(trace.fastpath);
  const options: RunOptions = {
    mutants,
    config: bootConfigOf(trace),
    fastpath,
    strict: trace.strict ?? false,
    ...(invariants ? { checkSpec: wellFormed } : {}),
  };
  const r = runEvents(trace.events, options);
  o.line(`sel4-spec replay: ${file}, ${trace.events.length} events${mutants.length > 0 ? `, mutants: ${mutants.join(', ')}` : ''}`);
  printRun(o, trace.events.slice(0, r.steps), r.outcomes, r.failure, options);
  if (flags.json === true)
    o.json({
      ok: r.failure === undefined,
      events: trace.events.length,
      steps: r.steps,
      outcomes: r.outcomes,
      failure: r.failure === undefined ? null : failureJson(r.failure),
    });
  return r.failure === undefined ? EXIT.ok : EXIT.failed;
};
