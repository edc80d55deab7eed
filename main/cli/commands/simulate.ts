// probedeck simulate: write a growing SpikeGLX-style recording from the built-in simulator.
import { parseArgs } from 'node:util';
import { writeGrowingSpikeGLX } from '../../sources/spikeglx-writer.ts';
import { CliError, type Command } from '../command.ts';

export const simulateCommand: Command = {
  summary: 'write a simulated SpikeGLX recording in real time (the .meta appears at the end)',
  usage: 'usage: probedeck simulate --out run_g0_t0.imec0.ap.bin --seconds 60 [--seed 1] [--pace 1 (0 = as fast as possible)]',
  async run(args) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' }, seconds: { type: 'string', default: '60' }, seed: { type: 'string', default: '1' }, pace: { type: 'string', default: '1' } } });
    if (!values.out || !/\.bin$/.test(values.out)) throw new CliError(`--out must name a .bin file\n${this.usage}`, 2);
    const seconds = Number(values.seconds);
    if (!(seconds > 0)) throw new CliError(`--seconds must be above 0, got "${values.seconds}"`, 2);
    const ctl = new AbortController();
    process.once('SIGINT', () => ctl.abort());
    process.once('SIGTERM', () => ctl.abort());
    const n = await writeGrowingSpikeGLX({ out: values.out, seconds, seed: Number(values.seed), pace: Number(values.pace), signal: ctl.signal });
    console.error(`wrote ${n} samples × 384 channels + the sync channel to ${values.out} and its .meta`);
    return 0;
  }
};
