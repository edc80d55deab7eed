// Channel lists as people type them ("0-191,200,210-220"): one parser for the command line and
// the export dialog. Pure, so the renderer can share it.
import { ProbeDeckError } from './is.ts';

const MAX_CHANNEL = 65535;

export function parseChannelList(text: string): number[] {
  const out: number[] = [];
  if (text.trim() === '') throw new ProbeDeckError('BAD_CHANNEL_LIST', 'no channels given: to export all of them, leave the channel list out');
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m && part.trim() === '') throw new ProbeDeckError('BAD_CHANNEL_LIST', `channels take indices and ranges such as 0-191,200; "${text.trim()}" has an empty entry (a comma at either end, or two in a row)`);
    if (!m) throw new ProbeDeckError('BAD_CHANNEL_LIST', `channels take indices and ranges such as 0-191,200; "${part.trim()}" is neither`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new ProbeDeckError('BAD_CHANNEL_LIST', `the channel range "${part.trim()}" runs backwards`);
    // Far beyond any probe; a typo such as 0-999999999 would otherwise build a list of a billion.
    if (b > MAX_CHANNEL) throw new ProbeDeckError('BAD_CHANNEL_LIST', `channel ${b} is beyond any recording (channels go up to ${MAX_CHANNEL})`);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out;
}

/** The list as parseChannelList reads it back, runs as ranges: [3, 4, 5, 9] → "3-5,9". */
export function formatChannelList(channels: readonly number[]): string {
  return formatChannelRuns([...new Set(channels)].sort((a, b) => a - b));
}

/** The channels in the order given (an export's row order), ascending runs as ranges: [300, 5, 6, 7] → "300,5-7". */
export function formatChannelRuns(channels: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < channels.length; ) {
    let j = i;
    while (j + 1 < channels.length && channels[j + 1] === channels[j] + 1) j++;
    parts.push(j > i ? `${channels[i]}-${channels[j]}` : String(channels[i]));
    i = j + 1;
  }
  return parts.join(',');
}
