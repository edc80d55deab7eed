// Loads the phase-shift references committed in test/reference/ (made by make_phase_shift_refs.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers.ts';
import { f32 } from './engine-refs.ts';

export const phaseRefs = JSON.parse(readFileSync(join(repoRoot, 'test/reference/phase_refs.json'), 'utf8')) as {
  shifts: number[];
  margin: number;
  kernels16: string;
  cases: Record<string, { file: string; start?: number; end?: number; chunk?: number; taps?: number }>;
};
export const phaseShifts = () => Float64Array.from(phaseRefs.shifts);
export const phaseCase = (name: string) => f32(phaseRefs.cases[name].file);
