import { commandsOf } from './support/doc-commands';

const md = (...lines: string[]) => lines.join('\n');

describe('commandsOf', () => {
  it('takes the commands of shell blocks only, one per logical line, without comments and output', () => {
    const doc = md(
      'text',
      '```sh',
      'npm run build            # once',
      '# a comment line',
      '',
      'curl -s $WP/agents -H "Authorization: Bearer $ADMIN"   # the agent\'s key, once',
      'npx wattprint hardware list',
      '```',
      '```',
      '$ not a command block',
      '```',
      '```json',
      '{ "not": "a command" }',
      '```',
    );
    expect(commandsOf('d.md', doc)).toEqual([
      { file: 'd.md', line: 3, text: 'npm run build            # once' },
      { file: 'd.md', line: 6, text: 'curl -s $WP/agents -H "Authorization: Bearer $ADMIN"   # the agent\'s key, once' },
      { file: 'd.md', line: 7, text: 'npx wattprint hardware list' },
    ]);
  });

  it('joins lines continued by a backslash or by an open quote, as bash reads them', () => {
    const doc = md(
      '```bash',
      'curl -X POST localhost:8080/api/v1/sites \\',
      "  -H 'content-type: application/json' -d '{",
      '  "id": "fra-1",',
      '  "pue": 1.42',
      "}'",
      "echo 'done'",
      '```',
    );
    const commands = commandsOf('d.md', doc);
    expect(commands.map((c) => c.line)).toEqual([2, 7]);
    expect(commands[0].text.split('\n')).toHaveLength(5);
    expect(commands[1].text).toBe("echo 'done'");
  });
});
