// The channel ids SpikeInterface gives the same recording, so that an export's ids are the ones a
// lab's bad-channel lists and sorter outputs made in SpikeInterface are keyed by. Its readers take
// them from neo: SpikeGLX's are the stream and the channel's name, "imec0.ap#AP0" (neo's
// spikeglxrawio: stream name + "#" + ~snsChanMap name); Open Ephys binary's are the oebin's
// channel_name itself ("CH0"). ProbeDeck shows the short names; this is the one place they are mapped.
import type { ChannelInfo, SourceInfo } from './source.ts';
import type { Meta } from './spikeglx-meta.ts';

export function spikeInterfaceChannelIds(info: Pick<SourceInfo, 'format' | 'stream'>, channels: Pick<ChannelInfo, 'id'>[]): string[] {
  return channels.map((c) => (info.format === 'spikeglx' ? `${info.stream}#${c.id}` : c.id));
}

/**
 * A SpikeGLX stream as neo names it (SpikeInterface's stream_id: imec0.ap, imec1.lf, nidq, obx0):
 * from the name SpikeGLX wrote the file under (the .meta's fileName; the file's own name without
 * it), so a renamed copy keeps its stream, as SpikeInterface reads it.
 */
export function spikeglxStreamName(meta: Meta, binPath: string): string {
  const written = meta.values.get('fileName') || binPath;
  const parts = (written.split(/[\\/]/).pop() ?? '').replace(/\.bin$/i, '').split('.');
  const type = meta.values.get('typeThis');
  const [second, last] = [parts.at(-2) ?? '', parts.at(-1) ?? ''];
  if (second.includes('imec')) return `${second}.${last}`; // the probe and its band
  if (type === 'obx') return `obx${(parts.length > 1 ? second : last).split('obx').pop()}`;
  return type ?? last; // nidq
}
