import { describeValue, type InputProblem } from '../problems';
import { satisfies, VAR_REF, type NumberKind } from './numbers';
import type { RunSpec, SpaceEntry } from './spec.schema';

/** A place in the spec that names a search variable instead of giving a number. */
export interface VariableUse {
  name: string;
  path: string;
  kind: NumberKind;
}

const FIELD_KINDS: Record<string, NumberKind> = {
  rate: 'rate in [0, 1)',
  flopsPerSample: 'positive number',
  samples: 'positive number',
  params: 'non-negative number',
};

function kindOf(path: (string | number)[]): NumberKind {
  const field = [...path].reverse().find((p): p is string => typeof p === 'string') ?? '';
  if (field === 'params' && path[path.length - 2] === 'transformer') return 'positive number';
  return FIELD_KINDS[field] ?? 'positive integer';
}

function walk(value: unknown, path: (string | number)[], uses: VariableUse[]): void {
  if (typeof value === 'string' && VAR_REF.test(value)) {
    uses.push({ name: value.slice(1), path: path.join('.'), kind: kindOf(path) });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, [...path, i], uses));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walk(v, [...path, k], uses);
  }
}

/** Every `$name` in the parts of a spec that may hold one (the model and the training batch/samples). */
export function variableUses(spec: Pick<RunSpec, 'model' | 'training'>): VariableUse[] {
  const uses: VariableUse[] = [];
  walk(spec.model, ['model'], uses);
  if (spec.training) {
    walk(spec.training.samples, ['training', 'samples'], uses);
    walk(spec.training.batchSize, ['training', 'batchSize'], uses);
  }
  return uses;
}

/** Unbound `$name`s of a spec that did not parse, so that one run reports them with the rest. */
export function unboundInRaw(input: unknown): InputProblem[] {
  if (!input || typeof input !== 'object') return [];
  const raw = input as { model?: unknown; training?: { samples?: unknown; batchSize?: unknown }; search?: { space?: unknown } };
  const training = raw.training && typeof raw.training === 'object' ? raw.training : undefined;
  const uses = variableUses({ model: raw.model, training } as Pick<RunSpec, 'model' | 'training'>);
  const space = raw.search?.space;
  const bound = space && typeof space === 'object' ? (space as Record<string, SpaceEntry>) : undefined;
  const unbound = uses.filter((u) => bound?.[u.name] === undefined);
  return costVariables(unbound, bound).problems;
}

/** A search variable that some cost depends on, with the values it takes. */
export interface CostVariable {
  name: string;
  values: number[];
}

/**
 * Checks every use against search.space: bound, a list (a range cannot be enumerated into counts),
 * and every listed value fit for every place that uses it.
 */
export function costVariables(
  uses: VariableUse[],
  space: Record<string, SpaceEntry> | undefined,
): { variables: CostVariable[]; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const byName = new Map<string, VariableUse[]>();
  for (const use of uses) byName.set(use.name, [...(byName.get(use.name) ?? []), use]);
  const bound = Object.keys(space ?? {});
  const variables: CostVariable[] = [];
  for (const [name, list] of byName) {
    const entry = space?.[name];
    if (entry === undefined) {
      for (const use of list) {
        problems.push({
          path: use.path,
          message: `got ${describeValue(`$${name}`)}, which is unbound; expected a number or a $name from search.space (${bound.length ? bound.map((b) => `$${b}`).join(', ') : 'no search.space given'})`,
        });
      }
      continue;
    }
    if (!Array.isArray(entry)) {
      problems.push({
        path: `search.space.${name}`,
        message: `got a range; expected a list of values, because ${list[0].path} depends on it`,
      });
      continue;
    }
    let ok = true;
    entry.forEach((value, i) => {
      for (const use of list) {
        if (!satisfies(use.kind, value)) {
          ok = false;
          problems.push({
            path: `search.space.${name}.${i}`,
            message: `got ${describeValue(value)}; expected a ${use.kind} for ${use.path}`,
          });
          break;
        }
      }
    });
    if (ok) variables.push({ name, values: entry as number[] });
  }
  return { variables, problems };
}

/** A copy of `value` with every `$name` replaced by its binding. */
export function bind<T>(value: T, bindings: Readonly<Record<string, number>>): T {
  if (typeof value === 'string' && VAR_REF.test(value)) return bindings[value.slice(1)] as T;
  if (Array.isArray(value)) return value.map((v) => bind(v, bindings)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = bind(v, bindings);
    return out as T;
  }
  return value;
}
