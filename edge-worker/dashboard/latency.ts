/**
 * Decide latency per hour (p50, p90, p99 of the Worker's own server time)
 * with a vertical marker where each model version went live, so a change
 * in speed can be read against the model that caused it.
 */
import type { Report } from '../src/contract/report';
import { empty, figure, legend, section, type LineSeries } from './charts';
import { h } from './dom';
import { count, dateTime, decimal, milliseconds } from './format';
import { lineChart } from './line-chart';
import { INK, seriesStyle } from './palette';
import { HOUR_MS } from './scale';

const PERCENTILES = ['p50', 'p90', 'p99'] as const;

/** The latency section of the page. */
export function latencySection(report: Report, width: number): HTMLElement {
  const caption = 'Decide latency per hour, with model versions as they went live';
  const points = report.latency;
  const latest = points.at(-1);
  const models = report.models.length
    ? `Model versions: ${report.models.map((m) => `${m.version} live since ${dateTime(Date.parse(m.activatedAt))}`).join('; ')}.`
    : 'No model version has gone live: decisions rank by popularity.';
  if (!latest) return section('latency', 'Latency', empty('latency', 'No data yet: no decision has been timed.'), h('p', {}, models));

  const keys = points.map((p) => p.at);
  const times = keys.map((at) => Date.parse(at));
  const lines: LineSeries[] = PERCENTILES.map((name, i) => ({ name, label: name, ...seriesStyle(i), keys, times, values: points.map((p) => p[name]), format: milliseconds }));
  const desc =
    `Latency of decisions per hour from ${dateTime(times[0]!)} to ${dateTime(times.at(-1)!)}. ` +
    `Latest hour, ${count(latest.count)} decisions: ${PERCENTILES.map((name) => `${name} ${milliseconds(latest[name])}`).join(', ')}. ${models}`;
  const svg = lineChart({
    width,
    title: caption,
    desc,
    lines,
    marks: report.models.map((m) => ({ t: Date.parse(m.activatedAt), label: m.version, data: { version: m.version, at: m.activatedAt } })),
    // Each point is an hour: a version that went live within the latest one is marked too.
    period: HOUR_MS,
    yFormat: (value) => `${decimal(value)} ms`,
    yInclude: [0],
  });
  return section(
    'latency',
    'Latency',
    figure(caption, svg, legend([...lines.map((l) => ({ label: l.label, colour: l.colour, dash: l.dash, kind: 'line' as const })), { label: 'model version went live', colour: INK, dash: '3 3', kind: 'line' }]), h('p', {}, models)),
  );
}
