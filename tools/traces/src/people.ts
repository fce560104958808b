import type { Rng } from './prng';

/** Who runs jobs: teams with their members and projects, as the job metadata names them. */
export interface Team {
  id: string;
  users: string[];
  projects: string[];
}

export const TEAMS: readonly Team[] = [
  { id: 'vision', users: ['alice', 'bram'], projects: ['detector-v3', 'segmentation'] },
  { id: 'nlp', users: ['chen', 'dara', 'eli'], projects: ['llm-finetune', 'translation'] },
  { id: 'speech', users: ['farah', 'goran'], projects: ['asr-small'] },
  { id: 'platform', users: ['hana'], projects: ['model-serving'] },
];

/** Teams that train models; the platform team runs the serving fleet. */
export const RESEARCH_TEAMS: readonly Team[] = TEAMS.filter((t) => t.id !== 'platform');

export interface Owner {
  user: string;
  team: string;
  project: string;
}

export function pickOwner(rng: Rng, teams: readonly Team[] = RESEARCH_TEAMS): Owner {
  const team = rng.pick(teams);
  return { user: rng.pick(team.users), team: team.id, project: rng.pick(team.projects) };
}
