/**
 * GitHub Actions workflows, parsed with `yaml` and a LineCounter so every piece of evidence can
 * name its line. A workflow that does not parse is reported (evidence), not fatal.
 */
import { LineCounter, type Node, isMap, isScalar, isSeq, parseDocument } from 'yaml';

export interface Step {
  uses?: string;
  run?: string;
  /** `with:` as plain values. */
  with: Record<string, unknown>;
  line: number;
  /** line of the `uses:` / `run:` value */
  usesLine?: number;
  runLine?: number;
  /** true when `run:` is a block scalar (`|` or `>`): its script starts on the next line */
  runBlock?: boolean;
}

export interface Job {
  id: string;
  line: number;
  /** undefined when the job declares no `permissions:` */
  permissions?: unknown;
  permissionsLine?: number;
  /** a reusable-workflow call (`jobs.<id>.uses`) */
  uses?: string;
  usesLine?: number;
  steps: Step[];
}

export interface Workflow {
  path: string;
  triggers: string[];
  permissions?: unknown;
  permissionsLine?: number;
  jobs: Job[];
  /** set when the file did not parse as a workflow */
  error?: string;
  errorLine?: number;
}

export const WORKFLOW_DIR = '.github/workflows/';

export function isWorkflowPath(p: string): boolean {
  return p.startsWith(WORKFLOW_DIR) && /\.ya?ml$/i.test(p) && !p.slice(WORKFLOW_DIR.length).includes('/');
}

/** The file line of the `index`-th line (0-based) of a step's run script. */
export function runScriptLine(step: Step, index: number): number {
  const base = step.runLine ?? step.line;
  return step.runBlock ? base + 1 + index : base + index;
}

/** Parses one workflow; anything that goes wrong (syntax, alias bombs, odd shapes) becomes `error`, never a throw. */
export function parseWorkflow(path: string, text: string): Workflow {
  try {
    return parseWorkflowUnsafe(path, text);
  } catch (e) {
    return { path, triggers: [], jobs: [], error: (e as Error).message.split('\n')[0]! };
  }
}

function parseWorkflowUnsafe(path: string, text: string): Workflow {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  const lineOf = (n: Node | null | undefined): number => (n?.range ? lc.linePos(n.range[0]).line : 1);
  const wf: Workflow = { path, triggers: [], jobs: [] };
  // plain values with yaml's alias-expansion limit: a "billion laughs" document throws instead of eating memory
  const plain = (n: Node): unknown => (n.toJS(doc, { maxAliasCount: 100 }) as unknown) ?? null;
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    wf.error = e.message.split('\n')[0]!;
    wf.errorLine = e.linePos?.[0]?.line;
    return wf;
  }
  const root = doc.contents;
  if (!isMap(root)) {
    wf.error = 'not a mapping';
    return wf;
  }
  // `on:` — YAML 1.1 readers turn the bare key `on` into true; yaml (1.2 core) keeps "on"
  const on: unknown = root.get('on', true);
  if (isScalar(on)) wf.triggers = [String(on.value)];
  else if (isSeq(on)) wf.triggers = on.items.map((i: unknown) => String(isScalar(i) ? i.value : i));
  else if (isMap(on)) wf.triggers = on.items.map((p: { key: unknown }) => String(isScalar(p.key) ? p.key.value : p.key));
  const perms = root.get('permissions', true) as Node | undefined;
  if (perms !== undefined) {
    wf.permissions = plain(perms);
    wf.permissionsLine = lineOf(perms);
  }
  const jobs = root.get('jobs', true);
  if (isMap(jobs)) {
    for (const pair of jobs.items) {
      const id = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const jn = pair.value;
      const job: Job = { id, line: lineOf(pair.key as Node), steps: [] };
      if (isMap(jn)) {
        const jp = jn.get('permissions', true) as Node | undefined;
        if (jp !== undefined) {
          job.permissions = plain(jp);
          job.permissionsLine = lineOf(jp);
        }
        const ju = jn.get('uses', true);
        if (isScalar(ju)) {
          job.uses = String(ju.value);
          job.usesLine = lineOf(ju);
        }
        const steps = jn.get('steps', true);
        if (isSeq(steps)) {
          for (const s of steps.items) {
            if (!isMap(s)) continue;
            const step: Step = { with: {}, line: lineOf(s) };
            const u = s.get('uses', true);
            if (isScalar(u)) {
              step.uses = String(u.value);
              step.usesLine = lineOf(u);
            }
            const r = s.get('run', true);
            if (isScalar(r)) {
              step.run = String(r.value);
              step.runLine = lineOf(r);
              step.runBlock = r.type === 'BLOCK_LITERAL' || r.type === 'BLOCK_FOLDED';
            }
            const w = s.get('with', true);
            if (isMap(w)) step.with = (plain(w) as Record<string, unknown>) ?? {};
            job.steps.push(step);
          }
        }
      }
      wf.jobs.push(job);
    }
  }
  return wf;
}
