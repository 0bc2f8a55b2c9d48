/**
 * The SDK benchmark's attribution of a Chrome trace to one script
 * (`tests/bench/main-thread.ts`), on a small hand-made trace: what is
 * counted, what is not, and nothing twice.
 */
import { describe, expect, it } from 'vitest';
import { scriptCost, type TraceEvent } from '../../bench/main-thread';

const PAGE = 'https://shop.example/p/1';
const SDK = 'https://rapport.example/sdk/rapport.min.js';
const MAIN = { pid: 1, tid: 1 };

/** A complete event on the main thread, `dur` µs long, CPU time half of it. */
const x = (name: string, ts: number, dur: number, data: Record<string, string> = {}, thread = MAIN): TraceEvent => ({
  name,
  cat: 'devtools.timeline',
  ph: 'X',
  ts,
  dur,
  tdur: dur / 2,
  ...thread,
  args: { data },
});
const instant = (name: string, ts: number): TraceEvent => ({ name, cat: 'disabled-by-default-devtools.timeline', ph: 'I', ts, ...MAIN });
/** A frame's rendering: 400 µs of style, layout, paint and commit from `ts`. */
const frame = (ts: number) => [x('RunTask', ts, 400), x('UpdateLayoutTree', ts, 100), x('Layout', ts + 100, 100), x('Paint', ts + 200, 100), x('Commit', ts + 300, 100)];

const trace: TraceEvent[] = [
  { ...x('ParseHTML', 0, 500), args: { beginData: { url: PAGE } } },
  // The page parses (dirtying style) and renders its first frame: the page's.
  instant('ScheduleStyleRecalculation', 100),
  ...frame(1_000),
  // The SDK's evaluation: compile, top-level code, the microtask checkpoint after it; it dirties style.
  x('RunTask', 2_000, 5_000),
  x('EvaluateScript', 2_000, 4_000, { url: SDK }),
  x('v8.compile', 2_000, 1_000, { url: SDK }),
  instant('ScheduleStyleRecalculation', 4_000),
  x('RunMicrotasks', 5_000, 500),
  // The frame only the SDK dirtied.
  ...frame(8_000),
  // A load listener of the SDK's, inside an event dispatch and V8's callback entry: counted once, as the dispatch.
  x('RunTask', 9_000, 2_000),
  x('EventDispatch', 9_000, 1_000, { type: 'load' }),
  x('v8.callFunction', 9_100, 800),
  x('FunctionCall', 9_100, 700, { url: SDK, functionName: 'n' }),
  // An event nobody listens to runs no script.
  x('EventDispatch', 10_500, 100, { type: 'pageshow' }),
  // The decision's promise chain: a microtask run naming no script, counted once the SDK has started.
  x('RunTask', 12_000, 1_000),
  x('RunMicrotasks', 12_000, 600),
  instant('InvalidateLayout', 12_300),
  // The stub's timer (the page's script) dirties layout too: the next frame is shared, and not counted.
  x('RunTask', 13_000, 300),
  x('TimerFire', 13_000, 200),
  x('FunctionCall', 13_000, 200, { url: PAGE }),
  instant('InvalidateLayout', 13_100),
  ...frame(14_000),
  // Script streaming parsed the SDK on a worker thread, waiting for bytes part of the time.
  x('v8.parseOnBackground', 1_500, 900, { url: SDK }, { pid: 1, tid: 2 }),
  x('v8.parseOnBackgroundWaiting', 1_500, 300, {}, { pid: 1, tid: 2 }),
  x('v8.parseOnBackgroundParsing', 1_800, 600, {}, { pid: 1, tid: 2 }),
  // Another tab's renderer is not this page.
  x('EvaluateScript', 2_000, 9_000, { url: SDK }, { pid: 2, tid: 2 }),
];

describe("a trace's attribution to the SDK", () => {
  const cost = scriptCost(trace, (url) => url === SDK, PAGE);

  it('splits compile from evaluation, and counts nested events once', () => {
    expect(cost.compile).toEqual({ wall: 1, cpu: 0.5 });
    expect(cost.evaluate).toEqual({ wall: 3, cpu: 1.5 });
    // The load dispatch (1 ms, its listener inside), the decision's microtasks (0.6 ms) and the SDK's frame (0.4 ms).
    expect(cost.after).toEqual({ wall: 2, cpu: 1 });
    expect(cost.render).toEqual({ wall: 0.4, cpu: 0.2 });
    expect(cost.total).toEqual({ wall: 6, cpu: 3 });
  });

  it('lists what it counted, in order', () => {
    expect(cost.counted.map((c) => `${c.part} ${c.name}`)).toEqual([
      'evaluate EvaluateScript',
      'render UpdateLayoutTree',
      'render Layout',
      'render Paint',
      'render Commit',
      'after EventDispatch',
      'after RunMicrotasks',
    ]);
    expect(cost.counted[5]!.detail).toBe(`load ${SDK} n`);
  });

  it("leaves out the page's script, its first frame and the frame both dirtied", () => {
    expect(cost.others.map((c) => `${c.name} ${c.detail}`)).toEqual([`TimerFire ${PAGE}`]);
    expect(cost.shared.map((c) => c.name)).toEqual(['UpdateLayoutTree', 'Layout', 'Paint', 'Commit']);
  });

  it('reports the longest task the SDK worked in, and parsing off the main thread apart', () => {
    expect(cost.longestTask).toEqual({ wall: 5, cpu: 2.5 });
    expect(cost.offThreadParse).toBe(0.6);
  });

  it('counts nothing on a page without the SDK', () => {
    const without = scriptCost(trace, () => false, PAGE);
    expect(without.total).toEqual({ wall: 0, cpu: 0 });
    expect(without.counted).toEqual([]);
  });
});
