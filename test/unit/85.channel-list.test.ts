import { describe, expect, it } from 'vitest';
import { formatChannelList, parseChannelList } from '../../main/util/channel-list.ts';

describe('channel lists as people type them', () => {
  it('reads indices and ranges, and writes them back as ranges', () => {
    expect(parseChannelList('0-3, 7,9-9')).toEqual([0, 1, 2, 3, 7, 9]);
    expect(formatChannelList([192, 5, 190, 191, 5])).toBe('5,190-192');
    expect(formatChannelList([])).toBe('');
    for (const text of ['5,190-192', '0-383', '1,3,5']) expect(formatChannelList(parseChannelList(text))).toBe(text);
  });
  it('says what does not read', () => {
    expect(() => parseChannelList('9-7')).toThrow(/the channel range "9-7" runs backwards/);
    expect(() => parseChannelList('a,3')).toThrow(/"a" is neither/);
    expect(() => parseChannelList('0-999999999')).toThrow(/beyond any recording/);
    // A comma at the end or two in a row (a common slip) is said as such, not as '"" is neither'.
    expect(() => parseChannelList('0-3,')).toThrow(/^channels take indices and ranges such as 0-191,200; "0-3," has an empty entry \(a comma at either end, or two in a row\)$/);
    expect(() => parseChannelList('1,,2')).toThrow(/"1,,2" has an empty entry/);
    expect(() => parseChannelList('')).toThrow(/no channels given: to export all of them, leave the channel list out/);
  });
});
