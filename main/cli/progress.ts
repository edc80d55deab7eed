import { formatSpeed } from '../util/speed.ts';

// A progress line on stderr (% done, × real time, ETA), redrawn at most 4 times a second and only
// on a terminal or for runs long enough to need it.
export function progressLine(label: string, fs: number) {
  const t0 = performance.now();
  let last = 0;
  let shown = false;
  return {
    update(done: number, total: number) {
      const now = performance.now();
      // The last update is always drawn once a line is shown: it would stay on screen at 94%.
      if ((now - last < 250 && !(shown && done >= total)) || now - t0 < 1000) return;
      last = now;
      shown = true;
      const s = (now - t0) / 1000;
      const x = done / fs / s;
      const eta = done > 0 ? (s * (total - done)) / done : 0;
      process.stderr.write(`\r${label}: ${((100 * done) / total).toFixed(1)}% · ${formatSpeed(x)}× real time · ETA ${eta.toFixed(0)} s   `);
    },
    done() {
      if (shown) process.stderr.write('\n');
    }
  };
}
