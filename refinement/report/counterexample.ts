/**
 * A counterexample for people: the numbered steps of its trace, each with what
 * the spec said the step did, and the failure at the last one (the paths where
 * the two sides part, or the violations, or the stack of a crash). The summary
 * of a whole check is ./summary.ts; one event's rendering is ./event.ts.
 */
import type { Event } from '../../spec/api';
import type { Failure } from '../run';
import { render } from '../diff';
import { renderEvent } from './event';

export const renderFailure = (f: Failure): string[] => {
  const lines: string[] = [];
  const where = f.step === 0 ? 'at boot' : `after step ${f.step}`;
  lines.push(`${f.kind} ${where}: ${f.message}`);
  const [left, right] = f.sides;
  for (const d of f.differences) lines.push(`  ${d.path}: ${left} ${render(d.spec)} | ${right} ${render(d.impl)}`);
  for (const v of f.violations) lines.push(`  ${v.path}: ${v.message}`);
  for (const frame of f.stack ?? []) lines.push(`    ${frame}`);
  return lines;
};

/** The numbered steps of a trace, each with what the spec said happened. */
export const renderSteps = (events: readonly Event[], outcomes: readonly string[]): string[] =>
  events.map((e, i) => `  ${String(i + 1).padStart(3)}. ${renderEvent(e)}${outcomes[i] === undefined ? '' : `  → ${outcomes[i]}`}`);
