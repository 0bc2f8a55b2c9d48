/** 32-bit FNV-1a of a string's UTF-16 code units: assignment's and phases' hash, and the counter shards'. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
