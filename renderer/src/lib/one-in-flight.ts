// A panel's poll asks the host only once its last request has been answered. Polled on a timer
// regardless, a probe map and a spectrum each queued a request every 2 s behind a host busy with a
// long traces window (seconds of work on a recording): five of each waiting at once, every one
// computed in turn, and the window asked for last waited behind them all.

/**
 * Wraps `run` (which never rejects) so that one call runs at a time. A call made while one runs is
 * not queued: one more run follows it, reading what is wanted then, however many calls were made.
 */
export function oneInFlight(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const go = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = run().finally(() => {
      running = null;
      if (again) {
        again = false;
        void go();
      }
    });
    return running;
  };
  return go;
}
