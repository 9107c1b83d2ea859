/**
 * What an invariant reports: the path in the spec state where it fails and
 * what is wrong there. A diagnosis is worth more than `false`.
 */
export interface Violation {
  readonly path: string;
  readonly message: string;
}

export { hex } from '../spec/api/word';
