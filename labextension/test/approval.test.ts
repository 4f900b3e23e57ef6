import { describe, expect, it } from 'vitest';

import { approvalOperation, codeArgument, lineDiff, proposedCode } from '../src/approval';

describe('approvalOperation', () => {
  const proposed = { code: 'x = 1\nprint(x)', timeout: 30 };

  it('approves as proposed without edited arguments', () => {
    const { op, local } = approvalOperation('c1', proposed, 'approve', 'ignored', proposed.code);
    expect(op).toEqual({
      op: 'exec_approval',
      tool_call_id: 'c1',
      approved: true,
      feedback: null,
      edited_arguments: null,
      scope: 'call'
    });
    expect(local).toEqual({
      decision: 'approve',
      feedback: 'ignored',
      code: proposed.code,
      edited: false
    });
  });

  it('sends the edited code exactly as typed, other arguments kept', () => {
    const typed = 'x = 123  \n\tx += 1000\nprint(x)\n';
    const { op, local } = approvalOperation('c1', proposed, 'approve', '', typed);
    expect(op).toMatchObject({ approved: true, edited_arguments: { code: typed, timeout: 30 } });
    expect(local.edited).toBe(true);
  });

  it('sends the feedback of a rejection as typed, and none when blank', () => {
    const words = '  Do not delete anything; list the files first. ';
    expect(approvalOperation('c1', proposed, 'reject', words, 'changed').op).toEqual({
      op: 'exec_approval',
      tool_call_id: 'c1',
      approved: false,
      feedback: words,
      edited_arguments: null,
      scope: 'call'
    });
    expect(approvalOperation('c1', proposed, 'reject', '   ', null).op).toMatchObject({
      feedback: null
    });
  });

  it('approves the rest of the session with scope session', () => {
    expect(approvalOperation('c9', proposed, 'approve_all', '', proposed.code).op).toMatchObject({
      approved: true,
      scope: 'session'
    });
  });

  it('edits the first code argument of a tool', () => {
    expect(codeArgument({ command: 'ls', code: 'x' })).toBe('code');
    expect(codeArgument({ file_path: '/a', content: 'text' })).toBe('content');
    expect(codeArgument({ script: 'run.py' })).toBe('script');
    expect(codeArgument({ code: 5, command: 'ls' })).toBe('command');
    expect(codeArgument({ query: 'q' })).toBeNull();
    expect(proposedCode({ command: 'ls -la' })).toBe('ls -la');
    const { op } = approvalOperation('c', { command: 'ls', timeout: 5 }, 'approve', '', 'ls -la');
    expect(op).toMatchObject({ edited_arguments: { command: 'ls -la', timeout: 5 } });
  });

  it('has no edit for a tool without code', () => {
    const { op, local } = approvalOperation('c', { repo: 'a/b' }, 'approve', '', null);
    expect(op).toMatchObject({ edited_arguments: null });
    expect(local.edited).toBe(false);
  });
});

describe('lineDiff', () => {
  it('marks removed and added lines', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc\nd')).toBe(' a\n-b\n+B\n c\n+d');
  });
});
