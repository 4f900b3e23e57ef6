/**
 * What an approval click sends: the decision with the code and feedback exactly as on screen.
 */
import { JSONObject, Operation } from './protocol';

/** Arguments shown as editable code, first match wins (as the in-cell card). */
export const CODE_ARGUMENTS = ['code', 'script', 'command', 'content', 'new_string'] as const;

export type Decision = 'approve' | 'reject' | 'approve_all';

/** The name of the argument shown in the code editor, or null when there is none. */
export function codeArgument(args: JSONObject): string | null {
  return CODE_ARGUMENTS.find(key => typeof args[key] === 'string') ?? null;
}

/** The code shown in the editor: the first code argument's text, or null. */
export function proposedCode(args: JSONObject): string | null {
  const key = codeArgument(args);
  const value = key === null ? undefined : args[key];
  return typeof value === 'string' ? value : null;
}

/** What the user chose and what the card held at the moment of the click. */
export interface LocalDecision {
  decision: Decision;
  feedback: string;
  /** The editor's text, or null when the card has no code editor. */
  code: string | null;
  /** True when the code differs from the proposed code (approvals only). */
  edited: boolean;
}

/** The user's decision as the kernel's `exec_approval` operation. */
export function approvalOperation(
  toolCallId: string,
  proposed: JSONObject,
  decision: Decision,
  feedback: string,
  code: string | null
): { op: Operation; local: LocalDecision } {
  const approved = decision !== 'reject';
  const key = codeArgument(proposed);
  const edited = approved && key !== null && code !== null && code !== proposed[key];
  const op: Operation = {
    op: 'exec_approval',
    tool_call_id: toolCallId,
    approved,
    feedback: !approved && feedback.trim() !== '' ? feedback : null,
    edited_arguments: edited ? { ...proposed, [key]: code } : null,
    scope: decision === 'approve_all' ? 'session' : 'call'
  };
  return { op, local: { decision, feedback, code, edited } };
}

/** A unified-style line diff of the proposed and the edited code (for the settled card). */
export function lineDiff(before: string, after: string): string {
  const a = before.split('\n');
  const b = after.split('\n');
  // Longest common subsequence table: the code of one approval is short.
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0)
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(` ${a[i]}`);
      i++;
      j++;
    } else if (i < a.length && (j >= b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push(`-${a[i]}`);
      i++;
    } else {
      out.push(`+${b[j]}`);
      j++;
    }
  }
  return out.join('\n');
}
