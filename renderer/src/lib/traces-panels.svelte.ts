/** What the traces view shows over or under its plot: the keys' help and the spectrum (each mount starts with neither). */
export class TracesPanels {
  help = $state(false);
  spectrum = $state(false);
}
