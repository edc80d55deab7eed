// What the user typed in the source bar. The bar is unmounted while another tab is shown; the
// path and counts typed there are still wanted when they come back.
import type { RawDtype } from '../../../main/api/domains/session.ts';

class SourceForm {
  path = $state('');
  /** SpikeGLX saves a Neuropixels stream as 384 channels + the sync channel: until a count is typed,
   *  an imec .bin is followed as 385 (the sync column split off), anything else as 384. */
  typedChannels = $state<number | null>(null);
  /** Likewise the rate: SpikeGLX's LFP stream (.lf.bin) runs at 2500 Hz, everything else defaults to 30 kHz. */
  typedFs = $state<number | null>(null);
  /** µV per unit of a raw file without metadata (blank: the file's own units, said as such). */
  gainUv = $state<number | null>(null);
  /** The sample type of a raw file without metadata; until one is chosen, a .f32 file is float32. */
  typedDtype = $state<RawDtype | null>(null);
  readonly dtype = $derived(this.typedDtype ?? (/\.(f32|float32)$/i.test(this.path) ? 'float32' : 'int16'));
  readonly imec = $derived(/\.imec\d*\.(ap|lf)\.bin$/i.test(this.path));
  readonly lfp = $derived(/\.imec\d*\.lf\.bin$/i.test(this.path));
  readonly channels = $derived(this.typedChannels ?? (this.imec ? 385 : 384));
  readonly fs = $derived(this.typedFs ?? (this.lfp ? 2500 : 30000));

  /** Another file: a count or rate typed for the last one says nothing about it. */
  setPath(path: string): void {
    this.path = path;
    this.typedChannels = null;
    this.typedFs = null;
    this.typedDtype = null;
  }
}

export const sourceForm = new SourceForm();
