// probedeck simulate: write a growing SpikeGLX-style recording from the built-in simulator.
import { parseArgs } from 'node:util';
import { writeGrowingSpikeGLX } from '../../sources/spikeglx-writer.ts';
import { checkDestination } from '../../util/outputs.ts';
import { CliError, type Command } from '../command.ts';

export const simulateCommand: Command = {
  summary: 'write a simulated SpikeGLX recording in real time (the .meta appears at the end)',
  usage: 'usage: probedeck simulate --out run_g0_t0.imec0.ap.bin --seconds 60 [--seed 1] [--pace 1 (0 = as fast as possible)]',
  async run(args) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' }, seconds: { type: 'string', default: '60' }, seed: { type: 'string', default: '1' }, pace: { type: 'string', default: '1' } } });
    if (!values.out || !/\.bin$/.test(values.out)) throw new CliError(`--out must name a .bin file\n${this.usage}`, 2);
    const seconds = Number(values.seconds);
    if (!(seconds > 0)) throw new CliError(`--seconds must be above 0, got "${values.seconds}"`, 2);
    // NaN here would write a recording of NaN-paced or NaN-seeded samples without a word.
    const pace = Number(values.pace);
    if (!(Number.isFinite(pace) && pace >= 0)) throw new CliError(`--pace must be 0 (as fast as possible) or a speed above 0 (1 = real time), got "${values.pace}"`, 2);
    const seed = Number(values.seed);
    if (!Number.isSafeInteger(seed)) throw new CliError(`--seed must be a whole number, got "${values.seed}"`, 2);
    await checkDestination(values.out, 'file');
    const ctl = new AbortController();
    process.once('SIGINT', () => ctl.abort());
    process.once('SIGTERM', () => ctl.abort());
    const n = await writeGrowingSpikeGLX({ out: values.out, seconds, seed, pace, signal: ctl.signal });
    console.error(`wrote ${n} samples × 384 channels + the sync channel to ${values.out} and its .meta`);
    return 0;
  }
};
