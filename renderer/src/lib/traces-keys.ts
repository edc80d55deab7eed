// The traces view's keys (the help overlay lists them).
import { playOrPause, stepSpan, toggleDetect, toggleHideBad, toggleOrder, toggleProcessed, toggleView } from './traces-actions.ts';
import type { TracesPanels } from './traces-panels.svelte.ts';
import { traces } from './traces.svelte.ts';

export function onTracesKey(e: KeyboardEvent, panels: TracesPanels): void {
  // The scrub bar keeps the focus after a drag: space still plays from where it was dragged to (the bar's own keys are its arrows).
  const scrubBar = e.target instanceof HTMLInputElement && e.target.type === 'range';
  if (!(scrubBar && e.key === ' ') && (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement)) return;
  // Ctrl+C, Ctrl+R, Ctrl+F… are the browser's (copy, reload, find): taken here they silently turned CMR off or showed raw data.
  // AltGr (Ctrl+Alt on Windows) types [ ] on many layouts: those are keys, not combinations.
  if (e.metaKey || ((e.ctrlKey || e.altKey) && !e.getModifierState('AltGraph'))) return;
  const k = e.key;
  if (k === '?') panels.help = !panels.help;
  else if (k === 'Escape') panels.help = false;
  else if (panels.help) return; // the help is read, not acted behind
  else if (k === ' ') playOrPause();
  else if (k === 'ArrowLeft') traces.scroll(0.5);
  else if (k === 'ArrowRight') traces.scroll(-0.5);
  else if (k === 'End') traces.follow();
  else if (k === 'Home') traces.toStart();
  else if (k === '+' || k === '=') (traces.uvPerLane /= 1.25), traces.redraw();
  else if (k === '-') (traces.uvPerLane *= 1.25), traces.redraw();
  else if (k === '[') stepSpan(-1);
  else if (k === ']') stepSpan(1);
  else if (k === 'PageUp') traces.scrollLanes(0.5);
  else if (k === 'PageDown') traces.scrollLanes(-0.5);
  else if (k === 'a') traces.scrollLanes('all');
  else if (k === 'o') toggleOrder();
  else if (k === 'h') toggleView();
  else if (k === 'r') toggleProcessed();
  else if (k === 'c') void traces.setCmr(!traces.cmr);
  else if (k === 'f') panels.spectrum = !panels.spectrum;
  else if (k === 's') void traces.autoscale();
  else if (k === 'd') void toggleDetect();
  else if (k === 'b') toggleHideBad();
  else if (k === 'k') traces.setShankColumns(!traces.shankColumns);
  else return;
  e.preventDefault();
}
