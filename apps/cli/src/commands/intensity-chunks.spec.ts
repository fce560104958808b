import { csvChunks, jsonChunks } from './intensity-chunks';

async function* linesOf(...lines: string[]) {
  yield* lines;
}

async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

describe('csvChunks', () => {
  it('repeats the header in every chunk and numbers each chunk by its first line in the file', async () => {
    const chunks = await collect(csvChunks(linesOf('', 'region,start,end,g_per_kwh', 'a', 'b', 'c', '', 'e'), 2));
    expect(chunks).toEqual([
      { firstLine: 3, body: 'region,start,end,g_per_kwh\na\nb\n', lines: 2 },
      { firstLine: 5, body: 'region,start,end,g_per_kwh\nc\n\n', lines: 2 },
      { firstLine: 7, body: 'region,start,end,g_per_kwh\ne\n', lines: 1 },
    ]);
  });

  it('sends a file without data rows once, so the collector judges its header', async () => {
    expect(await collect(csvChunks(linesOf(), 10))).toEqual([{ firstLine: 2, body: '', lines: 0 }]);
    expect(await collect(csvChunks(linesOf('SE,2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,40'), 10))).toEqual([
      { firstLine: 2, body: 'SE,2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,40\n', lines: 0 },
    ]);
    expect(await collect(csvChunks(linesOf('a', 'b', 'c'), 2))).toEqual([{ firstLine: 2, body: 'a\nb\nc\n', lines: 2 }]);
  });
});

describe('jsonChunks', () => {
  it('slices an array and says where each slice starts', () => {
    expect([...jsonChunks([1, 2, 3, 4, 5], 2)]).toEqual([
      { index: 0, elements: [1, 2] },
      { index: 2, elements: [3, 4] },
      { index: 4, elements: [5] },
    ]);
    expect([...jsonChunks([], 2)]).toEqual([]);
  });

  it('keeps each body under the byte limit, one element at least', () => {
    const big = 'x'.repeat(40);
    const chunks = [...jsonChunks([big, big, big, 'y'.repeat(200)], 100, 100)];
    // each string is 42 bytes of JSON plus a comma; two fit in 100 bytes with the brackets
    expect(chunks.map((c) => c.index)).toEqual([0, 2, 3]);
    expect(chunks.every((c) => c.elements.length > 0)).toBe(true);
  });
});
