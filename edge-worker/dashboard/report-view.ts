/**
 * The report as a page: what it covers, then its sections in order
 * (uplift, experiments, click-through, latency, bias).
 */
import type { Report } from '../src/contract/report';
import { biasSection } from './bias';
import { ctrSection } from './ctr';
import { h } from './dom';
import { experimentsSection } from './experiments';
import { dateTime, dayLabel } from './format';
import { latencySection } from './latency';
import { dayTime } from './scale';
import { upliftSection } from './uplift';

/** Every part of the page for `report`, its charts drawn `width` pixels wide. */
export function reportView(report: Report, width: number): HTMLElement[] {
  const first = report.days[0];
  const last = report.days.at(-1);
  const span = first && last ? `covering ${report.days.length} ${report.days.length === 1 ? 'day' : 'days'}, ${dayLabel(dayTime(first))} to ${dayLabel(dayTime(last))}` : 'covering no day yet';
  return [
    h('p', { class: 'summary' }, `Report generated ${dateTime(Date.parse(report.generatedAt))}, ${span}.`),
    upliftSection(report, width),
    experimentsSection(report, width),
    ctrSection(report, width),
    latencySection(report, width),
    biasSection(report, width),
  ];
}
