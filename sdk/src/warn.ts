/** Prefixed console warnings: the SDK reports problems, it never throws at the page. */
export function warn(message: string, detail?: unknown): void {
  console.warn(`[rapport] ${message}`, ...(detail === undefined ? [] : [detail]));
}
