// Which bad-channel detection run may report, for a session whose pipeline can change while one
// runs: a run another has replaced (another method asked for, detection off and on) reports nothing,
// and what one method found is no answer for a pipeline asking for another.
import type { SessionPipeline } from '../api/domains/session.ts';
import { detectionMethod } from './detected.ts';

export class DetectionRuns {
  /** The method the bad channels came from, or the run under way uses (null: none ran yet). */
  #by: ReturnType<typeof detectionMethod> = null;
  #run = 0;

  /** Whether `p` asks for another method than the last run's: its findings (and a run under way) do not hold for it. */
  otherMethod(p: SessionPipeline): boolean {
    const method = detectionMethod(p);
    return method !== null && this.#by !== null && method !== this.#by;
  }

  /** A run of `p`'s method begins: its number, and the method it runs. */
  start(p: SessionPipeline): { run: number; method: NonNullable<ReturnType<typeof detectionMethod>> } {
    this.#by = detectionMethod(p)!;
    return { run: ++this.#run, method: this.#by };
  }

  /** The run under way, if any, is replaced before the next begins. */
  replace(): void {
    this.#run++;
  }

  /** Whether `run` is the latest: only it may report. */
  current(run: number): boolean {
    return run === this.#run;
  }
}
