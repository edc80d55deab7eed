// Which bad channels detection found, among those a session shows (the others were named before it
// ran: listed in the preset, or marked unused by the acquisition). Pure: the renderer asks it too.
import type { SessionBadChannel, SessionPipeline } from '../api/domains/session.ts';

export const isDetected = (b: SessionBadChannel): boolean => b.label === 'dead' || b.label === 'noise' || b.label === 'out';

/** The method a pipeline's detection runs (SpikeInterface's default where it names none), or null when it runs none. */
export const detectionMethod = (p: SessionPipeline): NonNullable<SessionPipeline['detectMethod']> | null => (p.detectBadChannels ? (p.detectMethod ?? 'coherence+psd') : null);
