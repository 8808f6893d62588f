import { describe, expect, it } from 'vitest';
import { isWorkflowPath, parseWorkflow, runScriptLine } from './workflows.js';

describe('parseWorkflow', () => {
  it('reads triggers, permissions and steps with their lines', () => {
    const wf = parseWorkflow('.github/workflows/a.yml', 'on:\n  push:\n  pull_request_target:\npermissions: read-all\njobs:\n  b:\n    steps:\n      - uses: x/y@v1\n      - run: |\n          one\n          two\n');
    expect(wf.triggers).toEqual(['push', 'pull_request_target']);
    expect(wf.permissions).toBe('read-all');
    expect(wf.permissionsLine).toBe(4);
    const [use, run] = wf.jobs[0]!.steps;
    expect(use!.usesLine).toBe(8);
    expect(runScriptLine(run!, 1)).toBe(11); // "two"
  });
  it('a YAML alias bomb or a syntax error is an error field, not a throw', () => {
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\non: push\npermissions: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\njobs: {}\n';
    expect(parseWorkflow('w.yml', bomb).error).toMatch(/alias/i);
    expect(parseWorkflow('w.yml', 'on: [push\n').error).toBeDefined();
    expect(parseWorkflow('w.yml', '- just\n- a list\n').error).toBe('not a mapping');
  });
  it('only top-level .yml/.yaml files under .github/workflows are workflows', () => {
    expect(isWorkflowPath('.github/workflows/ci.yaml')).toBe(true);
    expect(isWorkflowPath('.github/workflows/sub/ci.yml')).toBe(false);
    expect(isWorkflowPath('.github/workflows/README.md')).toBe(false);
  });
});

describe('aliases', () => {
  it('permissions given through an alias are resolved, not mistaken for "none declared"', () => {
    const wf = parseWorkflow('w.yml', 'x: &w write-all\non: push\npermissions: *w\njobs: {}\n');
    expect(wf.permissions).toBe('write-all');
  });
});
