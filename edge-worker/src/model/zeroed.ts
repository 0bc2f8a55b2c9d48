/**
 * Zeroed memory that costs nothing until it is written.
 *
 * A served model allocates megabytes that most decisions never write: the rows of the shards no
 * decision has read yet (5 MB of Diginetica's 7.8), per-item and per-session scratch. An
 * `ArrayBuffer` is zeroed as it is allocated: in a fresh workerd isolate on the bench's machine,
 * allocating the 5 MB of rows took 15–24 ms of the first decision (timed inside the Worker). The
 * pages of a `WebAssembly.Memory` come zeroed from the operating system when each is first
 * written, and views over its buffer are ordinary typed arrays, as fast to read (nothing ever
 * grows the memory, so its buffer is never detached).
 */

/** A WebAssembly page, the unit a memory is sized in. */
const WASM_PAGE = 65_536;

/** Below this a plain `ArrayBuffer`: zeroing it costs little, and every memory reserves address space. */
const LAZY_FROM = 256 * 1024;

/**
 * A zeroed buffer of at least `bytes` bytes (a large one rounded up to whole WebAssembly pages):
 * a WebAssembly memory's buffer from `LAZY_FROM` up, where the runtime has them, else a plain one.
 */
export function zeroedBuffer(bytes: number): ArrayBuffer {
  if (bytes >= LAZY_FROM && typeof WebAssembly === 'object') {
    try {
      return new WebAssembly.Memory({ initial: Math.ceil(bytes / WASM_PAGE) }).buffer;
    } catch {
      // No address space left for another memory (or a runtime that refuses them): a plain buffer.
    }
  }
  return new ArrayBuffer(bytes);
}

/** A typed array's constructor. */
interface ArrayKind<T> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * Typed arrays of the given kinds and lengths, zeroed, carved one after another out of one
 * `zeroedBuffer` (each 8-byte aligned).
 *
 * @example
 * const [sums, stamps] = zeroedArrays([Float64Array, items], [Uint32Array, items]);
 */
export function zeroedArrays<T extends readonly unknown[]>(...specs: { [K in keyof T]: readonly [ArrayKind<T[K]>, number] }): T {
  const starts: number[] = [];
  let end = 0;
  for (const [kind, length] of specs) {
    starts.push(end);
    end += Math.ceil((kind.BYTES_PER_ELEMENT * length) / 8) * 8;
  }
  const buffer = zeroedBuffer(end);
  return specs.map(([kind, length], i) => new kind(buffer, starts[i]!, length)) as unknown as T;
}
