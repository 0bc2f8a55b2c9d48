/**
 * Accessibility checks with axe-core (Deque's engine, the one browser
 * extensions and Lighthouse run) inside the page under test: WCAG 2.1 A and AA
 * rules, colour contrast included. A failure names each rule broken and the
 * elements that break it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/** The page's WCAG 2.1 A/AA violations, as axe-core reports them. */
export async function axeViolations(page: Page): Promise<Violation[]> {
  // Evaluated through the DevTools protocol, which a page's Content Security Policy (the dashboard's) does not govern.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Violation[] }> } }).axe;
    const { violations } = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map(({ target, failureSummary }) => ({ target: target as string[], failureSummary })) }));
  });
}

/** Fails with every violation spelled out (rule, impact, elements) when the page has any. */
export async function expectAccessible(page: Page, what = page.url()): Promise<void> {
  const violations = await axeViolations(page);
  const report = violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n')}`).join('\n');
  expect(violations.length, `${what} has accessibility violations:\n${report}`).toBe(0);
}
