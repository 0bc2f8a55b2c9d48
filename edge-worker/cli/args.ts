import { basename, dirname } from 'node:path';
import { type TrainOptions, DEFAULT_TRAIN_OPTIONS } from './training';

/** Parses `--name value` and bare `--flag` arguments. */
export function parseArgs(argv: string[]): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i] ?? '';
    if (!key.startsWith('--')) throw new Error(`unexpected argument "${key}"`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) args.set(key.slice(2), 'true');
    else {
      args.set(key.slice(2), next);
      i++;
    }
  }
  return args;
}

/** The value of a required argument, or exit with usage. */
export function required(args: Map<string, string>, name: string, usage: string): string {
  const value = args.get(name);
  if (value === undefined) {
    process.stderr.write(`missing --${name}\n${usage}\n`);
    process.exit(2);
  }
  return value;
}

type Json = Record<string, unknown>;

function merge<T>(base: T, patch: unknown): T {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch) || typeof base !== 'object' || base === null) return patch as T;
  const out: Json = { ...(base as Json) };
  for (const [key, value] of Object.entries(patch as Json)) out[key] = merge((base as Json)[key], value);
  return out as T;
}

/** Training options: defaults, deep-merged with a JSON object given as `--options '{...}'` (for tuning). */
export function trainOptions(args: Map<string, string>): TrainOptions {
  const patch = args.get('options');
  return patch === undefined ? DEFAULT_TRAIN_OPTIONS : merge(DEFAULT_TRAIN_OPTIONS, JSON.parse(patch));
}

/** A dataset's name from its file's folder (e.g. `.../sessions/diginetica/train_sessions.txt` → diginetica). */
export function datasetName(path: string): string {
  return basename(dirname(path));
}
