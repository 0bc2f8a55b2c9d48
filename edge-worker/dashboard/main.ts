/**
 * The dashboard page's entry: the token form, fetching the report, drawing
 * it, and drawing it again when the page's width changes (charts are drawn
 * at their width, so their text stays 12 px at 390 px and at 1280 px).
 */
import type { Report } from '../src/contract/report';
import { fetchReport } from './client';
import { reportView } from './report-view';
import { forgetToken, keepToken, storedToken, takeTokenFromFragment } from './token';

const byId = <E extends HTMLElement>(id: string) => document.getElementById(id) as E;
const form = byId<HTMLFormElement>('token-form');
const input = byId<HTMLInputElement>('token');
const refusal = byId('token-message');
const status = byId('status');
const retry = byId<HTMLButtonElement>('retry');
const forget = byId<HTMLButtonElement>('forget');
const out = byId('report');

let report: Report | undefined;
let drawnAt = 0;

/** Charts' width: the report's column, within what stays legible. */
const chartWidth = () => Math.round(Math.min(1100, Math.max(280, out.clientWidth)));

function draw(): void {
  if (!report) return;
  drawnAt = chartWidth();
  out.replaceChildren(...reportView(report, drawnAt));
}

function say(message: string, error = false): void {
  status.textContent = message;
  status.classList.toggle('error', error);
}

/** Shows the form, with `message` saying why when it is shown again. */
function ask(message: string): void {
  report = undefined;
  out.replaceChildren();
  say('');
  retry.hidden = forget.hidden = true;
  refusal.textContent = message;
  form.hidden = false;
  input.focus();
}

async function load(token: string): Promise<void> {
  form.hidden = retry.hidden = true;
  forget.hidden = false;
  say('Loading the report…');
  const result = await fetchReport(token);
  if (result.kind === 'refused') {
    forgetToken();
    return ask('The Worker refused this token. Enter the admin token again.');
  }
  if (result.kind === 'error') {
    retry.hidden = false;
    return say(result.message, true);
  }
  say('');
  report = result.report;
  draw();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = input.value.trim();
  if (!token) return;
  input.value = '';
  keepToken(token);
  void load(token);
});
retry.addEventListener('click', () => void load(storedToken() ?? ''));
forget.addEventListener('click', () => {
  forgetToken();
  ask('');
});
let pending = 0;
addEventListener('resize', () => {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(() => Math.abs(chartWidth() - drawnAt) > 8 && draw());
});

takeTokenFromFragment();
const token = storedToken();
if (token) void load(token);
else ask('');
