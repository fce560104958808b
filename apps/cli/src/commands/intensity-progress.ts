/** A one-line progress bar for a TTY: bytes of the file read, rows sent, rows rejected. */

export interface ProgressState {
  bytesRead: number;
  totalBytes: number;
  rows: number;
  rejected: number;
}

function megabytes(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

/** The bar as text, `width` characters of bar; pure so it can be checked exactly. */
export function renderProgress(s: ProgressState, width = 30): string {
  const fraction = s.totalBytes > 0 ? Math.min(1, s.bytesRead / s.totalBytes) : 1;
  const filled = Math.round(fraction * width);
  const percent = `${Math.floor(fraction * 100)}`.padStart(3);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${megabytes(s.bytesRead)}/${megabytes(s.totalBytes)}  ${s.rows.toLocaleString('en-US')} rows  ${s.rejected.toLocaleString('en-US')} rejected`;
}

/** Redraws the bar in place (carriage return), at most every `intervalMs`, and ends its line when done. */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 100,
  ) {}

  update(state: ProgressState, force = false): void {
    const t = this.now();
    if (!force && this.drawn && t - this.lastDraw < this.intervalMs) return;
    this.lastDraw = t;
    this.drawn = true;
    this.write(`\r${renderProgress(state)}`);
  }

  done(state: ProgressState): void {
    this.update(state, true);
    this.write('\n');
  }
}
