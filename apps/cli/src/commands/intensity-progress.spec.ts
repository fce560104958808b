import { ProgressBar, renderProgress } from './intensity-progress';

describe('renderProgress', () => {
  it('draws the share of bytes read, rows and rejections', () => {
    expect(renderProgress({ bytesRead: 2_500_000, totalBytes: 10_000_000, rows: 12345, rejected: 3 }, 20)).toBe(
      '[#####...............]  25% 2.5 MB/10.0 MB  12,345 rows  3 rejected',
    );
    expect(renderProgress({ bytesRead: 0, totalBytes: 0, rows: 0, rejected: 0 }, 4)).toBe('[####] 100% 0.0 MB/0.0 MB  0 rows  0 rejected');
  });
});

describe('ProgressBar', () => {
  it('redraws in place at most every interval and ends its line', () => {
    const written: string[] = [];
    let t = 0;
    const bar = new ProgressBar(
      (s) => written.push(s),
      () => t,
      100,
    );
    const s = { bytesRead: 1, totalBytes: 2, rows: 1, rejected: 0 };
    bar.update(s);
    t = 50;
    bar.update(s);
    t = 150;
    bar.update(s);
    bar.done(s);
    expect(written).toHaveLength(4);
    expect(written.slice(0, 3).every((w) => w.startsWith('\r['))).toBe(true);
    expect(written[3]).toBe('\n');
  });
});
