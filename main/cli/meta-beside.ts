// `probedeck process` reads its input as the raw columns its flags say, whatever lies beside it. A
// SpikeGLX .meta beside a .bin says how that recording reads (its channel count, its sync channel,
// its rate): where the flags differ, the output is not SpikeInterface's read of it, and nothing shows.
import { existsSync, statSync } from 'node:fs';
import { describeSpikeGLX, metaPathFor, readMeta } from '../sources/spikeglx.ts';

/** What the .meta beside `input` says that processing it as `channels` columns at `fs` Hz would not do, as warnings. */
export async function metaBesideWarnings(input: string, channels: number, fs: number): Promise<string[]> {
  if (!/\.bin$/i.test(input) || !existsSync(metaPathFor(input))) return [];
  const meta = await readMeta(input).catch(() => null);
  if (!meta) return [];
  let info;
  try {
    info = describeSpikeGLX(input, meta, statSync(input).size);
  } catch {
    return []; // a .meta that does not describe this file says nothing about how to read it
  }
  const said = `${metaPathFor(input)} is beside it`;
  const out: string[] = [];
  if (info.frameChannels !== channels) out.push(`${said} and says ${info.frameChannels} channels per frame (nSavedChans), not the ${channels} given: every frame is read shifted`);
  else if (info.syncChannel) out.push(`${said}: column ${info.syncChannel.column} is SpikeGLX's sync channel, which process filters and references with as a neural channel; SpikeInterface's read_spikeglx leaves it out, as probedeck export does`);
  // SpikeGLX states its calibrated rate (30000.12…): a typed 30000 is the same stream.
  if (Math.abs(info.fs - fs) > info.fs * 1e-3) out.push(`${said} and says ${info.fs} Hz, not the ${fs} Hz given: the filter's corners land at other frequencies`);
  return out;
}
