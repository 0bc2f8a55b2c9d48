/**
 * Content versions: a 64-bit FNV-1a hash of a value, so that publishing the
 * same value again names the same version, and a catalog shard's KV key is
 * its content (a new catalog version reuses every shard it did not change).
 */

/** The hash of a text (its UTF-16 code units) or of bytes, as two 32-bit halves. */
export function contentHash(value: string | Uint8Array): [hi: number, lo: number] {
  let lo = 0x84222325;
  let hi = 0xcbf29ce4;
  const text = typeof value === 'string';
  for (let i = 0; i < value.length; i++) {
    lo = (lo ^ (text ? value.charCodeAt(i) : value[i]!)) >>> 0;
    // Multiply the 64-bit state by the FNV prime 2^40 + 0x1b3, in 32-bit halves.
    const loMul = lo * 0x1b3;
    const carry = Math.floor(loMul / 0x100000000);
    hi = (Math.imul(hi, 0x1b3) + Math.imul(lo, 0x100) + carry) >>> 0;
    lo = loMul >>> 0;
  }
  return [hi, lo];
}

/**
 * A content version: the hash as 16 hex digits.
 * @example contentVersion('[]') // '…16 hex digits…'
 */
export function contentVersion(value: string | Uint8Array): string {
  const [hi, lo] = contentHash(value);
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
