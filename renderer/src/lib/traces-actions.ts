// What a key and a toolbar button of the traces view both do.
import { playback } from './playback.svelte.ts';
import { SPANS } from './time-spans.ts';
import { traces } from './traces.svelte.ts';

/** The next time window offered, shorter (step < 0) or longer. */
export function stepSpan(step: number): void {
  const i = Math.max(0, Math.min(SPANS.length - 1, SPANS.indexOf(traces.spanS) + step));
  traces.spanS = SPANS[i];
  traces.invalidate();
}

export const followOrPause = () => (traces.following ? traces.pause() : traces.follow());
/** Space: a recording plays on at real time or stops; live, the view pauses or follows again. */
export const playOrPause = () => (traces.info?.kind === 'recording' ? playback.toggle() : followOrPause());
export const toggleProcessed = () => ((traces.processed = !traces.processed), traces.invalidate());
export const toggleView = () => ((traces.view = traces.view === 'traces' ? 'heatmap' : 'traces'), traces.redraw());
export const toggleOrder = () => ((traces.order = traces.order === 'depth' ? 'index' : 'depth'), traces.relayout());
export const toggleHideBad = () => ((traces.hideBad = !traces.hideBad), traces.relayout());
export const toggleDetect = () => traces.setDetect(!traces.info?.pipeline.detectBadChannels);
