import { filterLogLines, splitLogLines } from './LogText';

describe('splitLogLines', () => {
  it('numbers the lines and drops the empty line after the last newline', () => {
    expect(splitLogLines('one\r\ntwo\n\nfour\n')).toEqual([
      { number: 1, text: 'one' },
      { number: 2, text: 'two' },
      { number: 3, text: '' },
      { number: 4, text: 'four' },
    ]);
  });

  it('removes the colour codes buildpacks write', () => {
    expect(
      splitLogLines('\u001b[34m[builder]\u001b[0m Paketo Node Engine'),
    ).toEqual([{ number: 1, text: '[builder] Paketo Node Engine' }]);
  });
});

describe('filterLogLines', () => {
  const lines = splitLogLines('npm WARN deprecated\nok\nwarning: slow\n');

  it('keeps the lines that contain the query, ignoring case, with their numbers', () => {
    expect(filterLogLines(lines, 'WARN')).toEqual([
      { number: 1, text: 'npm WARN deprecated' },
      { number: 3, text: 'warning: slow' },
    ]);
  });

  it('keeps every line for an empty query', () => {
    expect(filterLogLines(lines, '')).toBe(lines);
  });
});
