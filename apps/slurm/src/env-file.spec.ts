import { parseEnvFile } from './env-file';

describe('the env file', () => {
  it('reads NAME=value lines, skipping comments and blank lines, removing one pair of matching quotes', () => {
    const text = ['# comment', '', 'A=1', '  B = two words ', 'C="quoted # not a comment"', "D='x'", 'E=', 'F="unbalanced', 'G=a=b'].join(
      '\n',
    );
    expect(parseEnvFile(text, '/etc/x.env')).toEqual({
      values: { A: '1', B: 'two words', C: 'quoted # not a comment', D: 'x', E: '', F: '"unbalanced', G: 'a=b' },
      problems: [],
    });
  });

  it('names the file, the line and what was expected for a bad line, and keeps the good ones', () => {
    const { values, problems } = parseEnvFile('A=1\nexport B=2\njust words\n=3\r\nC=4\r\n', '/etc/x.env');
    expect(values).toEqual({ A: '1', C: '4' });
    expect(problems).toEqual([
      '/etc/x.env:2: expected NAME=value, got "export B=2"',
      '/etc/x.env:3: expected NAME=value, got "just words"',
      '/etc/x.env:4: expected NAME=value, got "=3"',
    ]);
  });

  it('expands nothing: $VAR and $(cmd) stay as written', () => {
    expect(parseEnvFile('A=$HOME/$(id -u)`x`', 'f').values.A).toBe('$HOME/$(id -u)`x`');
  });
});
