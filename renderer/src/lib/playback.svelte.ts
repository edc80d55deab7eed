// A recording played on at real time (space), as a media player plays: the window's right edge moves
// with the clock. The next window is asked for once the last is drawn, so a slow machine (or a long
// window on many channels) plays in bigger steps rather than queueing windows it never shows.
import { traces } from './traces.svelte.ts';

export class Playback {
  playing = $state(false);
  /** Where the play started from (s, the window's right edge) and when (performance.now()). */
  #from = { s: 0, t0: 0 };
  /** The right edge the play last asked for: any other means the user moved the window meanwhile. */
  #asked: number | null = null;
  #opened = 0;
  #raf = 0;

  toggle(): void {
    if (this.playing) this.stop();
    else this.play();
  }

  play(): void {
    const info = traces.info;
    if (info?.kind !== 'recording') return;
    // From the end, a play starts over, as a player's does.
    this.#from = { s: traces.atEnd ? traces.spanS : this.#within(traces.wantRightS ?? traces.windowS[1]), t0: performance.now() };
    this.#asked = null;
    this.#opened = traces.opened;
    this.playing = true;
    this.#raf = requestAnimationFrame(this.#step);
  }

  /** A right edge where the window shows it: a window in at least (Home puts it at 0, the window then held at its start), the end at most. */
  #within(s: number): number {
    return Math.min(Math.max(s, traces.spanS), traces.info?.historySeconds ?? s);
  }

  stop(): void {
    // A window the play asked for and is on its way is still drawn: the picture stops one step on (a
    // seek back to the one shown drew both, forward then back).
    this.playing = false;
    cancelAnimationFrame(this.#raf);
  }

  #step = (now: number): void => {
    const info = traces.info;
    if (!this.playing) return;
    if (info?.kind !== 'recording' || traces.opened !== this.#opened) {
      this.playing = false;
      return;
    }
    // Moved by the user (a scroll, the scrub bar, Home): the play goes on from there.
    const want = traces.wantRightS;
    if (this.#asked !== null && want !== this.#asked) this.#from = { s: this.#within(want ?? 0), t0: now };
    const s = this.#from.s + (now - this.#from.t0) / 1000;
    if (s >= info.historySeconds) {
      traces.seek(Infinity);
      this.playing = false;
      return;
    }
    if (!traces.busy) {
      traces.seek(s);
      this.#asked = traces.wantRightS;
    }
    this.#raf = requestAnimationFrame(this.#step);
  };
}

export const playback = new Playback();
