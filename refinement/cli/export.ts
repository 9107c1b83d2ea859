/**
 * `sel4-spec export FILE --itf`: the trace with its spec states, in the
 * Informal Trace Format (refinement/trace/itf.ts) on stdout, for Quint's
 * tools and trace viewer. The events are replayed as the file was checked;
 * a trace that fails ends at its failing step, which is exported too.
 */
import { stepHeadline, tell } from '../report/story';
import { toItf } from '../trace/itf';
import { EXIT, type Streams, UsageError, errorLine } from './io';
import { readTrace, runOptionsOf } from './replay';

export interface ExportFlags {
  itf?: boolean;
}

export const exportTrace = (file: string, flags: ExportFlags, io: Streams): number => {
  if (flags.itf !== true) throw new UsageError('export needs a format: --itf (the Informal Trace Format, for Quint)');
  const trace = readTrace(file);
  const options = runOptionsOf(trace);
  const story = tell(trace.events, options);
  if (story.states.length === 0) {
    errorLine(io, `${file}: the system failed to boot (${story.failure?.message ?? 'no state'}), so there is no state to export`);
    return EXIT.failed;
  }
  const events = story.steps.map((s) => `${stepHeadline(s)}${s.message === undefined ? '' : `; ${s.message}`}`);
  io.out(
    JSON.stringify(
      toItf(
        file,
        story.states,
        events,
        story.steps.map((s) => s.outcome),
      ),
    ) + '\n',
  );
  // A counterexample's states end where it fails: say so, so a short export is not taken for the whole trace.
  const f = story.failure;
  if (f !== undefined)
    errorLine(io, `${file}: ${f.kind} after step ${f.step} (${f.message}); the states exported end there (${story.states.length - 1} of ${trace.events.length} steps)`);
  return EXIT.ok;
};
