/**
 * SIGINT and SIGTERM stop a long command gracefully: the first asks the check
 * to stop after the current run (it then reports what it did, with its seed,
 * and saves any counterexample it holds); a second one ends the process at
 * once. The exit code is 128 + the signal's number either way.
 */
import { EXIT, type Streams, errorLine } from './io';

export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface Interrupt {
  /** Aborted when the first signal arrives. */
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  received(): StopSignal | undefined;
  dispose(): void;
}

export const onInterrupt = (io: Streams): Interrupt => {
  const controller = new AbortController();
  let got: StopSignal | undefined;
  const handler = (s: StopSignal) => () => {
    if (got !== undefined) process.exit(EXIT[got]);
    got = s;
    errorLine(io, `${s} received: stopping after the current run (again to stop at once)`);
    controller.abort();
  };
  const onInt = handler('SIGINT');
  const onTerm = handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    received: () => got,
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
};
