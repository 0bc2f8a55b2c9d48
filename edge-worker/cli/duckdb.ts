/**
 * The training engine's DuckDB: an in-memory database with an explicit memory cap, a temporary
 * folder it spills to past the cap, and few threads (training shares the machine), plus readers
 * that turn a query's numeric columns into typed arrays without an object per row.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/** How the engine may use the machine. */
export interface EngineOptions {
  /** DuckDB's memory cap; past it, DuckDB spills to `tempDirectory`. Default 2GB. */
  memoryLimit?: string;
  /** Threads DuckDB runs on. Default 2. */
  threads?: number;
  /** Where DuckDB spills. Default a folder of this process's under the OS's temporary folder. */
  tempDirectory?: string;
}

/** An open engine, its settings, and what it spilled. */
export interface Engine {
  connection: DuckDBConnection;
  memoryLimit: string;
  tempDirectory: string;
  /** The most bytes seen in the spill folder, sampled each time `sampleSpill` runs. */
  peakSpillBytes(): number;
  /** Samples the spill folder's size now (cheap: a folder listing). */
  sampleSpill(): void;
  close(): void;
}

function folderBytes(dir: string): number {
  let total = 0;
  try {
    for (const name of readdirSync(dir)) total += statSync(join(dir, name)).size;
  } catch {
    return 0;
  }
  return total;
}

/**
 * Opens an in-memory DuckDB that spills to a temporary folder past its memory limit.
 *
 * @example
 * const engine = await openEngine({ memoryLimit: '1GB', threads: 2 });
 * try { await engine.connection.run('SELECT 1'); } finally { engine.close(); }
 */
export async function openEngine(options: EngineOptions = {}): Promise<Engine> {
  const { memoryLimit = '2GB', threads = 2, tempDirectory = join(tmpdir(), `rapport-duckdb-${process.pid}`) } = options;
  mkdirSync(tempDirectory, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', { memory_limit: memoryLimit, temp_directory: tempDirectory, threads: String(threads) });
  const connection = await instance.connect();
  let peak = 0;
  return {
    connection,
    memoryLimit,
    tempDirectory,
    peakSpillBytes: () => peak,
    sampleSpill() {
      peak = Math.max(peak, folderBytes(tempDirectory));
    },
    close() {
      connection.closeSync();
      instance.closeSync();
      rmSync(tempDirectory, { recursive: true, force: true });
    },
  };
}

/** Calls `visit` with each row's numeric columns of `sql`'s result, chunk by chunk. */
export async function forEachRow(connection: DuckDBConnection, sql: string, visit: (columns: number[]) => void): Promise<void> {
  const result = await connection.stream(sql);
  const row: number[] = [];
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const vectors = Array.from({ length: chunk.columnCount }, (_, c) => chunk.getColumnVector(c));
    for (let i = 0; i < chunk.rowCount; i++) {
      for (let c = 0; c < vectors.length; c++) row[c] = Number(vectors[c]?.getItem(i) ?? 0);
      visit(row);
    }
  }
}

/** The first row of `sql`'s result, as numbers. */
export async function firstRow(connection: DuckDBConnection, sql: string): Promise<number[]> {
  const [row] = (await connection.runAndReadAll(sql)).getRowsJS();
  return (row ?? []).map((value) => Number(value ?? 0));
}
