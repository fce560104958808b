import { parseTeamMap, teamOf, TeamMapError } from './team-map';

describe('the account to team mapping', () => {
  it('maps accounts whatever their case, and leaves an unlisted account as its own team', () => {
    const map = parseTeamMap('# account team\nTeamA   vision  # the vision group\n\nnlp-h100\tnlp\n', 'teams');
    expect(teamOf('teama', map)).toBe('vision');
    expect(teamOf('TEAMA', map)).toBe('vision');
    expect(teamOf('NLP-H100', map)).toBe('nlp');
    expect(teamOf('physics', map)).toBe('physics');
  });

  it('refuses the whole file on a bad line, naming each one with its line number', () => {
    let error: unknown;
    try {
      parseTeamMap(`a x\nonlyone\nb y z\nA w\nc ${'t'.repeat(129)}\n`, '/etc/wattprint/slurm-teams');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TeamMapError);
    expect((error as TeamMapError).problems).toEqual([
      '/etc/wattprint/slurm-teams:2: expected "<account> <team>", got "onlyone"',
      '/etc/wattprint/slurm-teams:3: expected "<account> <team>", got "b y z"',
      '/etc/wattprint/slurm-teams:4: account A is already mapped to x',
      '/etc/wattprint/slurm-teams:5: team "tttttttttttttttttttttttttttttttttttttttt"… is 129 characters; expected at most 128',
    ]);
  });

  it('accepts the same mapping twice', () => {
    expect(teamOf('a', parseTeamMap('a x\nA x\n', 'f'))).toBe('x');
  });
});
