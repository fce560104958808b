/** One command a reader would type: where it is, and its text (continuation lines joined as bash reads them). */
export interface DocCommand {
  file: string;
  /** 1-based line of the command's first line. */
  line: number;
  text: string;
}

const SHELL_FENCE = /^```(sh|bash|shell|console)\s*$/;

/**
 * True while `text` leaves a quote open, or ends with a backslash that continues it on the next line.
 * A `#` outside quotes starts a comment to the end of its line (an apostrophe there opens nothing).
 */
function continues(text: string): boolean {
  let single = false;
  let double = false;
  let lineEndsInBackslash = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    lineEndsInBackslash = false;
    if (c === '\\' && !single) {
      if (i + 1 === text.length) lineEndsInBackslash = true;
      i++;
      continue;
    }
    if (c === '#' && !single && !double && (i === 0 || /\s/.test(text[i - 1]))) {
      const end = text.indexOf('\n', i);
      if (end === -1) break;
      i = end;
      continue;
    }
    if (c === "'" && !double) single = !single;
    else if (c === '"' && !single) double = !double;
  }
  return single || double || lineEndsInBackslash;
}

/**
 * The commands of the shell blocks (```sh, bash, shell, console) of a Markdown document: one per
 * logical line, comment-only and blank lines dropped, lines continued by `\` or by an open quote joined.
 */
export function commandsOf(file: string, markdown: string): DocCommand[] {
  const out: DocCommand[] = [];
  let inBlock = false;
  let pending: DocCommand | null = null;
  markdown.split('\n').forEach((raw, i) => {
    if (!inBlock) {
      inBlock = SHELL_FENCE.test(raw.trim());
      return;
    }
    if (pending === null && raw.trim().startsWith('```')) {
      inBlock = false;
      return;
    }
    if (pending !== null) {
      pending.text += `\n${raw}`;
    } else {
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('$ ')) return;
      pending = { file, line: i + 1, text: raw };
    }
    if (!continues(pending.text)) {
      out.push({ ...pending, text: pending.text.trim() });
      pending = null;
    }
  });
  return out;
}
