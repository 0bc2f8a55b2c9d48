/**
 * What one script costs a page's main thread, read from a Chrome trace
 * recorded with {@link TRACE_CATEGORIES}.
 *
 * Attribution, on the renderer main thread that parsed the page: JavaScript
 * is taken outermost event first, so nothing nested is counted twice. A
 * script's evaluation, compilation or a function call names its script's URL;
 * a container (event dispatch, timer, V8 callback) belongs to the script
 * whose code runs inside it; microtask runs and module evaluations name no
 * script and are counted for the script once it has started — right only on
 * a page that runs no other script after it, as the benchmark's page does
 * (its inline stub names the page's URL). Rendering (style, layout, paint,
 * commit) is the script's when only the script's code dirtied style or
 * layout since the last frame was committed; a frame the page dirtied too is
 * shared and left out.
 */

/** One event of Chrome's JSON trace format, as far as attribution reads it. Times in µs. */
export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  /** Wall-clock duration of a complete ('X') event. */
  dur?: number;
  /** Thread (CPU) time of a complete event. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: {
    name?: string;
    fileName?: string;
    data?: { url?: string; type?: string; functionName?: string };
    beginData?: { url?: string };
  };
}

/**
 * The categories to trace: tasks, script entries and rendering
 * (`devtools.timeline` and its disabled-by-default half, which adds tasks,
 * commits and invalidations), microtask runs (`v8.execute`), and V8's own
 * callback entry (`v8`), which is the only container around IndexedDB callbacks.
 */
export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'v8'];

/** Script events that name their script's URL. */
const NAMED_JS = new Set(['EvaluateScript', 'v8.compile', 'v8.compileModule', 'FunctionCall']);
/** Script events that name none. */
const UNNAMED_JS = new Set(['RunMicrotasks', 'v8.evaluateModule']);
/** Events that run script for someone: they belong to whoever's code runs inside. */
const CONTAINERS = new Set(['EventDispatch', 'TimerFire', 'FireAnimationFrame', 'FireIdleCallback', 'v8.callFunction', 'XHRReadyStateChange', 'XHRLoad']);
const COMPILE = new Set(['v8.compile', 'v8.compileModule']);
const EVALUATE = new Set(['EvaluateScript', 'v8.evaluateModule']);
/** The rendering pipeline's main-thread steps. */
const RENDERING = new Set(['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'UpdateLayer', 'ComputeIntersections']);
/**
 * Instant events that mark style or layout dirty, inside the code that dirtied
 * it. Chrome emits them when style or layout first becomes dirty after a
 * frame, so whoever dirtied it second in the same frame leaves no mark.
 */
const INVALIDATIONS = new Set(['ScheduleStyleRecalculation', 'InvalidateLayout']);

const isJs = (name: string) => NAMED_JS.has(name) || UNNAMED_JS.has(name) || CONTAINERS.has(name);

/** Which part of the script's work an event is. */
export type Part = 'compile' | 'evaluate' | 'after' | 'render';

/** One counted (or, in {@link ScriptCost.others}, not counted) main-thread event. */
export interface Counted {
  part: Part;
  name: string;
  /** What the event names: a URL, a function, an event type. */
  detail: string;
  /** Start, ms after the page's HTML began to be parsed. */
  at: number;
  wall: number;
  cpu: number;
}

/** Wall-clock and CPU time, ms. */
export interface Time {
  wall: number;
  cpu: number;
}

/** What the script cost the page's main thread. */
export interface ScriptCost {
  compile: Time;
  /** Top-level code, with whatever it runs synchronously (the microtask checkpoint after a classic script included). */
  evaluate: Time;
  /** Everything after evaluation: callbacks, microtasks, and the rendering below. */
  after: Time;
  /** Frames only the script dirtied. */
  render: Time;
  total: Time;
  /** The longest task (by wall-clock time) in which the script did any work, ms. */
  longestTask: Time;
  /** Parsing done off the main thread (script streaming), not part of the total, ms. */
  offThreadParse: number;
  counted: Counted[];
  /** Script of other URLs on the main thread after the script started: not counted. */
  others: Counted[];
  /** Frames the page and the script both dirtied: not counted. */
  shared: Counted[];
}

interface Node {
  e: TraceEvent;
  end: number;
  parent?: Node;
  children: Node[];
}

const urlOf = (e: TraceEvent): string | undefined => e.args?.data?.url || e.args?.fileName || undefined;

function* subtree(node: Node): Generator<Node> {
  yield node;
  for (const child of node.children) yield* subtree(child);
}

function ancestor(node: Node, test: (n: Node) => boolean): Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (test(n)) return n;
  return undefined;
}

/** The outermost ancestor passing `test`. */
function outermostAncestor(node: Node, test: (n: Node) => boolean): Node | undefined {
  let found: Node | undefined;
  for (let n = node.parent; n; n = n.parent) if (test(n)) found = n;
  return found;
}

/** The outermost events of `names` within `node` (itself included). */
function outermost(node: Node, names: Set<string>): Node[] {
  return names.has(node.e.name) ? [node] : node.children.flatMap((child) => outermost(child, names));
}

const ms = (us = 0) => us / 1000;
const timeOf = (nodes: Node[]): Time => ({ wall: ms(nodes.reduce((s, n) => s + (n.e.dur ?? 0), 0)), cpu: ms(nodes.reduce((s, n) => s + (n.e.tdur ?? 0), 0)) });
const plus = (a: Time, b: Time): Time => ({ wall: a.wall + b.wall, cpu: a.cpu + b.cpu });
const minus = (a: Time, b: Time): Time => ({ wall: a.wall - b.wall, cpu: a.cpu - b.cpu });
const ZERO: Time = { wall: 0, cpu: 0 };

/** Events of one thread as a forest, parents before children (a parent starts no later and lasts at least as long). */
function forest(events: TraceEvent[]): Node[] {
  const sorted = events
    .filter((e) => e.ph === 'X' || e.ph === 'I' || e.ph === 'i')
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const nodes: Node[] = [];
  const open: Node[] = [];
  for (const e of sorted) {
    // An instant event at its parent's last microsecond is still inside it.
    while (open.length && (open.at(-1)!.end < e.ts || (open.at(-1)!.end === e.ts && e.dur !== undefined))) open.pop();
    const node: Node = { e, end: e.ts + (e.dur ?? 0), parent: open.at(-1), children: [] };
    node.parent?.children.push(node);
    nodes.push(node);
    if (e.dur !== undefined) open.push(node);
  }
  return nodes;
}

/**
 * The main-thread cost of the script `owns` recognizes (by URL) on the page
 * at `pageUrl`, from a trace's events.
 * @example scriptCost(JSON.parse(trace).traceEvents, (url) => url === sdkUrl, 'http://127.0.0.1:8792/p/78')
 */
export function scriptCost(events: TraceEvent[], owns: (url: string) => boolean, pageUrl: string): ScriptCost {
  const parse = events.find((e) => e.name === 'ParseHTML' && e.args?.beginData?.url === pageUrl);
  if (!parse) throw new Error(`the trace holds no parse of ${pageUrl}`);
  const nodes = forest(events.filter((e) => e.pid === parse.pid && e.tid === parse.tid));
  const origin = parse.ts;
  const started = Math.min(...nodes.filter((n) => NAMED_JS.has(n.e.name) && owns(urlOf(n.e) ?? '')).map((n) => n.e.ts));

  const counted: Counted[] = [];
  const others: Counted[] = [];
  const shared: Counted[] = [];
  const ownedJs = new Set<Node>();
  let compile = ZERO;
  let evaluate = ZERO;
  let after = ZERO;
  let render = ZERO;
  let longestTask = ZERO;
  /** Who dirtied style or layout since the last commit. */
  const dirty = new Set<'script' | 'page'>();

  const record = (list: Counted[], node: Node, part: Part, detail: string) =>
    list.push({ part, name: node.e.name, detail, at: ms(node.e.ts - origin), wall: ms(node.e.dur), cpu: ms(node.e.tdur) });
  const countTask = (node: Node) => {
    const task = timeOf([outermostAncestor(node, (n) => n.e.name === 'RunTask') ?? node]);
    if (task.wall > longestTask.wall) longestTask = task;
  };

  for (const node of nodes) {
    const { name } = node.e;
    const jsAncestor = ancestor(node, (n) => isJs(n.e.name));
    if (isJs(name) && !jsAncestor) {
      const inside = [...subtree(node)];
      const named = inside.filter((n) => NAMED_JS.has(n.e.name));
      const urls = named.map((n) => urlOf(n.e) ?? '');
      const unnamed = urls.length === 0 && inside.some((n) => UNNAMED_JS.has(n.e.name));
      const functions = named.map((n) => n.e.args?.data?.functionName).filter(Boolean);
      const detail = [node.e.args?.data?.type, ...new Set(urls), ...new Set(functions)].filter(Boolean).join(' ');
      if (urls.some(owns) || (unnamed && node.e.ts >= started)) {
        ownedJs.add(node);
        const compiled = timeOf(outermost(node, COMPILE).filter((n) => owns(urlOf(n.e) ?? '')));
        const rest = minus(timeOf([node]), compiled);
        const part: Part = COMPILE.has(name) ? 'compile' : EVALUATE.has(name) ? 'evaluate' : 'after';
        compile = plus(compile, compiled);
        if (part === 'evaluate') evaluate = plus(evaluate, rest);
        else if (part === 'after') after = plus(after, rest);
        record(counted, node, part, detail);
        countTask(node);
      } else if (urls.length && node.e.ts >= started) {
        record(others, node, 'after', detail);
      }
    } else if (INVALIDATIONS.has(name) && !ancestor(node, (n) => RENDERING.has(n.e.name))) {
      const js = outermostAncestor(node, (n) => isJs(n.e.name));
      dirty.add(js && ownedJs.has(js) ? 'script' : 'page');
    } else if (RENDERING.has(name) && !jsAncestor && !ancestor(node, (n) => RENDERING.has(n.e.name))) {
      if (dirty.has('script') && !dirty.has('page')) {
        render = plus(render, timeOf([node]));
        record(counted, node, 'render', '');
        countTask(node);
      } else if (dirty.has('script')) {
        record(shared, node, 'render', 'also dirtied by the page');
      }
      if (name === 'Commit') dirty.clear();
    }
  }

  const parsing = events.filter((e) => e.name === 'v8.parseOnBackground' && owns(urlOf(e) ?? ''));
  const offThreadParse = parsing.reduce(
    (sum, p) =>
      sum +
      events
        .filter((e) => e.name === 'v8.parseOnBackgroundParsing' && e.pid === p.pid && e.tid === p.tid && e.ts >= p.ts && e.ts < p.ts + (p.dur ?? 0))
        .reduce((s, e) => s + ms(e.dur), 0),
    0,
  );

  after = plus(after, render);
  return { compile, evaluate, after, render, total: plus(plus(compile, evaluate), after), longestTask, offThreadParse, counted, others, shared };
}
