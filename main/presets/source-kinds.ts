// Which default presets a source opens with, in the order they are tried: the view and the Export
// form must agree, or a recording would be exported through another pipeline than it was watched with.

/** Streams sampled below this are LFP (Neuropixels' 2500 Hz): they open with the LFP default. */
export const LFP_MAX_FS = 5000;

/**
 * The preset-default keys for a source: an LFP stream (which cannot run a spike band), then a probe
 * with several shanks (each wants a reference of its own), then the source's own kind.
 */
export function sourceKinds(fs: number, shanks: number, kind: string): string[] {
  return [...(fs < LFP_MAX_FS ? ['lfp'] : []), ...(shanks > 1 ? ['multishank'] : []), kind];
}
