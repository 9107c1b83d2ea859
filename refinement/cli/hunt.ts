/**
 * `sel4-spec mutants --hunt`: the default check against each deliberately
 * broken kernel. Every mutant must be caught; each catch is saved as a
 * counterexample, with the time to catch apart from the time to shrink.
 */
import { MUTANTS } from '../../properties/mutants';
import { type Hunt, hunt } from '../../properties/mutation';
import { ensureDirectory } from './files';
import { EXIT, type Streams, output } from './io';
import { onInterrupt } from './interrupt';
import { progress } from './progress';
import { failureJson, saveCounterexample } from '../report/summary';

export interface HuntFlags {
  hunt?: boolean;
  only: string[];
  seed: number;
  runs: number;
  steps: number;
  json?: boolean;
  timing: boolean;
  progress: boolean;
  progressEvery: number;
  out: string;
}

export const huntAll = async (flags: HuntFlags, io: Streams): Promise<number> => {
  const o = output(io, flags.json === true);
  const chosen = flags.only.length > 0 ? MUTANTS.filter((m) => flags.only.includes(m.name)) : MUTANTS;
  ensureDirectory(flags.out, '--out');
  o.line(`sel4-spec mutants --hunt: seed ${flags.seed}, up to ${flags.runs} runs each, ${chosen.length} mutants`);
  o.line(`  ${'mutant'.padEnd(38)} ${'checker'.padEnd(10)} caught  runs ${flags.timing ? ' to catch  shrinking' : ''}  shrunk (from)`);
  const p = progress(flags.progress ? io.progress : undefined, flags.progressEvery);
  const stop = onInterrupt(io);
  const hunts: Array<Hunt & { file?: string }> = [];
  try {
    for (const m of chosen) {
      if (stop.signal.aborted) break;
      const h = await hunt(m, {
        seed: flags.seed,
        runs: flags.runs,
        steps: flags.steps,
        signal: stop.signal,
        onRun: (done, events) => p.explore(done, flags.runs, events, m.name),
        onShrink: (s) => p.shrink(s.failure.kind, s.foundAtRun, s.originalLength, s.length, s.tries, m.name),
      });
      p.stop();
      const c = h.counterexample;
      const file =
        c === undefined
          ? undefined
          : saveCounterexample(flags.out, `hunt-${m.name}-`, c, h.result, {
              mutants: [m.name],
              fastpath: 'both',
              invariants: true,
              strict: false,
            });
      hunts.push({ ...h, ...(file === undefined ? {} : { file }) });
      const shrunk = h.caught ? `${String(h.shrunkLength).padStart(6)} (${h.originalLength})` : '     -';
      const secs = flags.timing ? `${h.secondsToCatch.toFixed(1).padStart(8)} s ${h.secondsShrinking.toFixed(1).padStart(8)} s` : '';
      const said = { caught: 'yes', survived: 'NO', unreplayable: 'NO (found, but its trace does not replay)', interrupted: 'interrupted' }[h.verdict];
      o.line(`  ${m.name.padEnd(38)} ${m.checker.padEnd(10)} ${said.padEnd(6)} ${String(h.runs).padStart(5)} ${secs}  ${shrunk}`);
    }
  } finally {
    p.stop();
    stop.dispose();
  }
  const caught = hunts.filter((h) => h.caught).length;
  const interrupted = stop.received();
  const decided = hunts.filter((h) => h.verdict !== 'interrupted');
  o.line(`${caught} of ${decided.length} mutants caught${hunts.some((h) => h.file !== undefined) ? `; counterexamples written to ${flags.out}` : ''}`);
  if (interrupted !== undefined) o.line(`INTERRUPTED by ${interrupted} after ${decided.length} of ${chosen.length} mutants; seed ${flags.seed}`);
  if (flags.json === true)
    o.json({
      caught,
      total: decided.length,
      ...(interrupted === undefined ? {} : { interrupted }),
      mutants: hunts.map((h) => ({
        name: h.mutant.name,
        checker: h.mutant.checker,
        caught: h.caught,
        verdict: h.verdict,
        runs: h.runs,
        secondsToCatch: flags.timing ? Number(h.secondsToCatch.toFixed(2)) : null,
        secondsShrinking: flags.timing ? Number(h.secondsShrinking.toFixed(2)) : null,
        shrunkLength: h.shrunkLength ?? null,
        originalLength: h.originalLength ?? null,
        replays: h.replays ?? null,
        counterexample: h.file ?? null,
        failure: h.counterexample === undefined ? null : failureJson(h.counterexample.failure),
      })),
    });
  if (interrupted !== undefined) return EXIT[interrupted];
  return caught === decided.length ? EXIT.ok : EXIT.failed;
};
