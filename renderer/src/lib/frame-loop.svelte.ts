// The traces view's frame loop: a frame at a time while the view has work, else a poll a few times
// a second, and the frame times the health panel shows.

/** Idle this long, the frame loop becomes a poll every IDLE_POLL_MS (see FrameLoop.#schedule). */
const IDLE_AFTER_MS = 1000;
const IDLE_POLL_MS = 200;

const percentile = (xs: number[], q: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

export class FrameLoop {
  frameP50 = $state(0);
  frameP95 = $state(0);
  #frames: number[] = [];
  #lastFrame = 0;
  #raf = 0;
  /** The frame loop, slowed to a poll while the view has nothing to do (see #schedule). */
  #loop: ((now: number, polled?: boolean) => void) | null = null;
  #poll: ReturnType<typeof setTimeout> | null = null;
  /** When the view last had work: following, or a fetch wanted or under way. */
  #busyAt = 0;
  /** One turn's work, and whether the view has work to do (following, a fetch wanted or under way). */
  #tick: () => void;
  #hasWork: () => boolean;

  constructor(tick: () => void, hasWork: () => boolean) {
    this.#tick = tick;
    this.#hasWork = hasWork;
  }

  /** The frame asked for does not come (the view is about to start the loop on another canvas). */
  cancelFrame(): void {
    cancelAnimationFrame(this.#raf);
  }

  /** Runs the loop from the next frame; returns its stop function. */
  start(): () => void {
    const loop = (now: number, polled = false) => {
      // Frame times are what the eye sees: a poll's interval is not one.
      if (this.#lastFrame && !polled) this.#frames.push(now - this.#lastFrame);
      this.#lastFrame = polled ? 0 : now;
      if (this.#frames.length >= 30) {
        this.frameP50 = percentile(this.#frames, 0.5);
        this.frameP95 = percentile(this.#frames, 0.95);
        this.#frames = [];
      }
      this.#tick();
      this.#schedule();
    };
    this.#loop = loop;
    this.#raf = requestAnimationFrame(loop);
    return () => {
      cancelAnimationFrame(this.#raf);
      if (this.#poll) clearTimeout(this.#poll);
      this.#loop = this.#poll = null;
    };
  }

  /**
   * The next turn of the loop: the next frame while the view has work, else a poll a few times a
   * second. A paused picture costs nothing to keep, but a frame loop on an idle page still cost
   * Chromium ~12% of a core, taken from the acquisition beside it. The poll still notices what
   * changes without a call here (a span picked while sizing, a resize); calls that change what to
   * fetch or draw wake the frame loop at once.
   */
  #schedule(): void {
    const now = performance.now();
    if (this.#hasWork()) this.#busyAt = now;
    const loop = this.#loop;
    if (!loop) return;
    if (now - this.#busyAt < IDLE_AFTER_MS) this.#raf = requestAnimationFrame(loop);
    else this.#poll = setTimeout(() => ((this.#poll = null), loop(performance.now(), true)), IDLE_POLL_MS);
  }

  /** Back to a frame at a time, now: there is something to fetch or draw. */
  wake(): void {
    this.#busyAt = performance.now();
    if (!this.#poll || !this.#loop) return;
    clearTimeout(this.#poll);
    this.#poll = null;
    this.#raf = requestAnimationFrame(this.#loop);
  }
}
