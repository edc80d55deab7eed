// Which bad channels detection found, among those a session shows (the others were named before it
// ran: listed in the preset, or marked unused by the acquisition). Pure: the renderer asks it too.
import type { SessionBadChannel } from '../api/domains/session.ts';

export const isDetected = (b: SessionBadChannel): boolean => b.label === 'dead' || b.label === 'noise' || b.label === 'out';
