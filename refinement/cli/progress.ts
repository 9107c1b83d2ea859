/**
 * Progress on standard error while a check runs: a bar on a terminal, and on
 * anything else (a CI log) one line every few seconds, during exploration and
 * during shrinking alike, so a long run never looks hung.
 */
import cliProgress from 'cli-progress';

/** Seconds between progress lines when standard error is not a terminal (default). */
const PROGRESS_LINE_SECONDS = 5;

export interface Progress {
  /** Runs done of the total, events so far; `label` names what is checked (a mutant in a hunt). */
  explore(done: number, total: number, events: number, label?: string): void;
  /** Shrinking a failure first found in `run`: the shortest failing trace so far and the candidates tried. */
  shrink(kind: string, run: number, from: number, length: number, tries: number, label?: string): void;
  stop(): void;
}

const silent: Progress = { explore: () => {}, shrink: () => {}, stop: () => {} };

export const progress = (stream: NodeJS.WriteStream | undefined, everySeconds = PROGRESS_LINE_SECONDS): Progress => {
  if (stream === undefined) return silent;
  const make = (format: string) =>
    new cliProgress.SingleBar(
      {
        stream,
        format,
        noTTYOutput: true,
        notTTYSchedule: everySeconds * 1000,
        hideCursor: false,
        clearOnComplete: true,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
  let bar: cliProgress.SingleBar | undefined;
  let phase: 'explore' | 'shrink' | undefined;
  const switchTo = (p: 'explore' | 'shrink', format: string, total: number, start: number, payload: object) => {
    if (phase === p) return;
    bar?.stop();
    bar = make(format);
    phase = p;
    bar.start(total, start, payload);
  };
  return {
    explore: (done, total, events, label = '') => {
      const payload = { events, label: label === '' ? '' : `${label}: ` };
      switchTo('explore', 'progress: {label}run {value} of {total} [{bar}] {events} events, {duration}s', total, done, payload);
      bar?.update(done, payload);
    },
    shrink: (kind, run, from, length, tries, label = '') => {
      const payload = { kind, run, from, length, tries, label: label === '' ? '' : `${label}: ` };
      switchTo('shrink', 'progress: {label}shrinking the {kind} found in run {run}: {length} events (from {from}), {tries} candidates tried, {duration}s', 1, 0, payload);
      bar?.update(0, payload);
    },
    stop: () => {
      bar?.stop();
      bar = undefined;
      phase = undefined;
    },
  };
};
