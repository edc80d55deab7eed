// probedeck info <path>: one JSON object describing a recording.
import { parseArgs } from 'node:util';
import { openSource } from '../../sources/open-source.ts';
import { CliError, type Command } from '../command.ts';

export const infoCommand: Command = {
  summary: 'describe a recording (SpikeGLX, Open Ephys or raw) as JSON',
  usage: `usage: probedeck info <path> [--stream NAME] [--channels C --fs HZ [--dtype int16|uint16|float32] [--gain-uv G] [--header-bytes N]]`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { stream: { type: 'string' }, channels: { type: 'string' }, fs: { type: 'string' }, dtype: { type: 'string' }, 'gain-uv': { type: 'string' }, 'header-bytes': { type: 'string' } }
    });
    if (positionals.length !== 1) throw new CliError(this.usage, 2);
    const raw =
      values.channels !== undefined || values.fs !== undefined
        ? {
            channels: Number(values.channels),
            fs: Number(values.fs),
            dtype: values.dtype as 'int16' | undefined,
            gainUv: values['gain-uv'] ? Number(values['gain-uv']) : undefined,
            headerBytes: values['header-bytes'] !== undefined ? Number(values['header-bytes']) : undefined
          }
        : undefined;
    const source = await openSource(positionals[0], { raw, stream: values.stream });
    try {
      console.log(JSON.stringify(source.info, null, 2));
    } finally {
      await source.close();
    }
    return 0;
  }
};
