// The engine's TS facade: validates, then calls the addon. Nothing else in main/ touches native().
import type { EngineInfo } from '../api/domains/engine.ts';
import { native } from './native.ts';

export { autoMarginMs, autoMarginSamples, designSos, filterWindow, padlen, StreamFilter, type FilterSpec } from './filters.ts';
export { commonReference, planReference, type ReferenceSpec } from './reference.ts';
export { firKernels, phaseShiftMargin, phaseShiftWindow, StreamPhaseShift, type PhaseShiftMethod, type PhaseShiftSpec } from './phase-shift.ts';
export { BAD_CHANNEL_DEFAULTS, detectBadChannels, detectionChunks, type BadChannelMethod, type BadChannelResult, type ChannelLabel } from './bad-channels.ts';
export { interpolateChannels, planInterpolation, type InterpolationPlan } from './interpolate.ts';
export { roundToInt16, scaleToFloat } from './scale.ts';
export { StreamChain, type ChainBuffers, type StreamChainSpec } from './stream-chain.ts';
export { decimateColumns, decimateMinMax } from './decimate.ts';
export { defaultMargin, processFile, type PipelineSpec, type ProcessFileOptions } from './executor.ts';

export function engineInfo(): EngineInfo {
  return native().engineInfo();
}

/** Inner pools and counted work-buffer bytes (resetPeak starts a new peak measurement). */
export function engineStats(resetPeak = false) {
  return native().engineStats(resetPeak);
}
