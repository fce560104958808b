/**
 * JSON with object keys sorted at every level, so the signer and the verifier hash the same bytes
 * whatever order a serializer wrote the keys in. Undefined object members are dropped, as JSON does.
 *
 * The collector checks every batch with this (40 samples of 10 keys each), so it is written for
 * speed: one string built by concatenation, and the sorted key order of the last object shape seen
 * reused while the next objects have the same keys in the same order (every sample of a batch
 * does). Objects are walked by their own enumerable keys, arrays by index; `toJSON` is not called.
 */
export function canonicalJson(value: unknown): string {
  const text = encode(value);
  if (text === undefined) throw new TypeError(`cannot sign a value of type ${typeof value}`);
  return text;
}

function encode(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'object':
      return Array.isArray(value) ? encodeArray(value) : encodeObject(value as Record<string, unknown>);
    case 'number':
      // what JSON.stringify writes: the shortest round-trip form, null for NaN and ±Infinity
      return Number.isFinite(value) ? String(value) : 'null';
    default:
      // strings (with JSON's escapes), booleans; undefined, functions and symbols give undefined
      // and bigints throw, as JSON.stringify does
      return JSON.stringify(value);
  }
}

function member(value: unknown): string {
  const text = encode(value);
  if (text === undefined) throw new TypeError(`cannot sign a value of type ${typeof value}`);
  return text;
}

function encodeArray(items: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    const item = items[i];
    out += item === undefined ? 'null' : member(item);
  }
  return `${out}]`;
}

function encodeObject(object: Record<string, unknown>): string {
  const shape = shapeOf(Object.keys(object));
  let out = '{';
  for (let i = 0; i < shape.sorted.length; i++) {
    const item = object[shape.sorted[i]];
    if (item === undefined) continue;
    out += out.length === 1 ? shape.labels[i] : `,${shape.labels[i]}`;
    out += member(item);
  }
  return `${out}}`;
}

/** An object's keys as found, sorted, and each sorted key written as JSON with its colon. */
interface Shape {
  keys: readonly string[];
  sorted: readonly string[];
  labels: readonly string[];
}

/** The last few shapes seen: the samples of a batch all hit one entry, the batch itself another. */
const SHAPES = 4;
const shapes: Shape[] = [];
let nextSlot = 0;

function shapeOf(keys: string[]): Shape {
  for (const shape of shapes) if (sameList(shape.keys, keys)) return shape;
  const sorted = keys.slice().sort();
  const shape = { keys, sorted, labels: sorted.map((k) => `${JSON.stringify(k)}:`) };
  shapes[nextSlot] = shape;
  nextSlot = (nextSlot + 1) % SHAPES;
  return shape;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
