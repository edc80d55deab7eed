// The simulator's SpikeGLX recordings for the specs, through the command line a lab would use.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, openSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from './fixtures.ts';

const CLI = join(import.meta.dirname, '../bin/probedeck.js');

/** A finished recording of `seconds`, written as fast as the disk takes it (.bin and .meta). */
export function simulatedRecording(out: string, seconds: number): void {
  const sim = spawnSync(process.execPath, [CLI, 'simulate', '--out', out, '--seconds', String(seconds), '--pace', '0'], { encoding: 'utf8' });
  expect(sim.status, sim.stderr).toBe(0);
}

/** A recording written in real time, as SpikeGLX writes one (its .meta at the end); kill it when done. */
export function liveWriter(out: string, seconds: number): ChildProcess {
  return spawn(process.execPath, [CLI, 'simulate', '--out', out, '--seconds', String(seconds)], { stdio: 'ignore' });
}

/** A recording as one of test/fixtures/spikeglx's .meta files describes it, zeros for data: `bin` and its .meta beside it. */
export function zeroRecording(fixture: string, bin: string): void {
  const meta = join(import.meta.dirname, '../test/fixtures/spikeglx', fixture);
  copyFileSync(meta, bin.replace(/\.bin$/, '.meta'));
  closeSync(openSync(bin, 'w'));
  truncateSync(bin, Number(/fileSizeBytes=(\d+)/.exec(readFileSync(meta, 'utf8'))![1]));
}
