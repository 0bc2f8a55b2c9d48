/**
 * Command-line arguments of the training and evaluation CLIs: node's `parseArgs` with the usage
 * printed on any mistake, the options every training run takes, and the dataset's name.
 */
import { basename, dirname } from 'node:path';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import type { EngineOptions } from './duckdb';
import { type TrainOptions, DEFAULT_TRAIN_OPTIONS } from './training';

/** Options every CLI that trains takes: the sessions file and overrides of the training options. */
export const TRAINING_ARGS = {
  train: { type: 'string' },
  options: { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

/** Options of the CLIs that aggregate in DuckDB: its memory cap and threads. */
export const ENGINE_ARGS = {
  'memory-limit': { type: 'string', default: '2GB' },
  threads: { type: 'string', default: '2' },
} as const satisfies ParseArgsOptionsConfig;

/** DuckDB's settings from `--memory-limit` and `--threads`. */
export function engineOptions(args: { 'memory-limit'?: string; threads?: string }): EngineOptions {
  return { memoryLimit: args['memory-limit'], threads: Number(args.threads ?? 2) };
}

type Values<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>['values'];

/** Prints `message` and `usage` and exits with status 2, as a command's misuse does. */
export function usageError(message: string, usage: string): never {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
}

/**
 * This process's `--name value` and `--flag` arguments, parsed strictly against `options`; an
 * unknown option, a missing value or a stray argument exits with `usage`.
 *
 * @example
 * const args = parseCliArgs({ ...TRAINING_ARGS, json: { type: 'boolean' } }, USAGE);
 */
export function parseCliArgs<const O extends ParseArgsOptionsConfig>(options: O, usage: string): Values<O> {
  try {
    return parseArgs({ args: process.argv.slice(2), options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    return usageError((err as Error).message, usage);
  }
}

/** The value of a required option, or exit with usage. */
export function required(value: string | undefined, name: string, usage: string): string {
  return value ?? usageError(`missing --${name}`, usage);
}

type Json = Record<string, unknown>;

function merge<T>(base: T, patch: unknown): T {
  // JSON has no Infinity (JSON.stringify writes it as null), so null for a number means unbounded.
  if (patch === null && typeof base === 'number') return Infinity as T;
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch) || typeof base !== 'object' || base === null) return patch as T;
  const out: Json = { ...(base as Json) };
  for (const [key, value] of Object.entries(patch as Json)) out[key] = merge((base as Json)[key], value);
  return out as T;
}

/**
 * Training options: the defaults, deep-merged with the JSON object given as `--options '{...}'` (for
 * tuning); a number given as null is unbounded (Infinity), as JSON.stringify writes Infinity.
 */
export function trainOptions(patch: string | undefined): TrainOptions {
  return patch === undefined ? DEFAULT_TRAIN_OPTIONS : merge(DEFAULT_TRAIN_OPTIONS, JSON.parse(patch));
}

/** A dataset's name from its file's folder (e.g. `.../sessions/diginetica/train_sessions.txt` → diginetica). */
export function datasetName(path: string): string {
  return basename(dirname(path));
}
