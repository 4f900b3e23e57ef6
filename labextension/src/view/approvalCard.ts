/**
 * The sidebar's approval card: the tool's input (code editable), a feedback box and the
 * Approve / Reject / Approve all buttons. A click hands over exactly what is on screen.
 * Once the call leaves `pending_approval` (decided here, in the cell or anywhere else),
 * the card becomes one line.
 */
import { Widget } from '@lumino/widgets';

import { Decision, codeArgument, lineDiff, proposedCode } from '../approval';
import { ApprovalView } from '../reducer';
import { argumentList, button, el, icon } from './dom';

export type DecideHandler = (decision: Decision, feedback: string, code: string | null) => void;

const DETAIL_LIMIT = 12;

export class ApprovalCard extends Widget {
  constructor(
    private readonly tool: string,
    approval: ApprovalView,
    private readonly onDecide: DecideHandler
  ) {
    super();
    this.addClass('mi-chat-approval');
    this.node.append(this.pendingView(approval));
    this.approval = approval;
  }

  /** Redraw only when the call was decided; a pending card keeps what the user typed. */
  refresh(approval: ApprovalView): void {
    const wasSettled = this.approval.outcome !== null;
    this.approval = approval;
    if (approval.outcome !== null && !wasSettled) {
      this.node.replaceChildren(this.settledView(approval));
      this.addClass('mi-chat-settled');
    }
  }

  private pendingView(approval: ApprovalView): HTMLElement {
    const box = el('div', { class: 'mi-chat-approval-pending' });
    box.append(
      el(
        'div',
        { class: 'mi-chat-approval-head' },
        icon('ask', 'mi-chat-ask'),
        el('span', {}, approval.reason || 'needs approval')
      )
    );
    const details = Object.entries(approval.details).slice(0, DETAIL_LIMIT);
    for (const [key, value] of details) {
      const text = value.includes('\n') ? el('pre', { class: 'mi-chat-block' }, value) : value;
      box.append(
        el(
          'div',
          { class: 'mi-chat-detail' },
          el('span', { class: 'mi-chat-muted' }, `${key}: `),
          text
        )
      );
    }
    if (approval.costUsd !== null) {
      box.append(
        el(
          'div',
          { class: 'mi-chat-detail' },
          el('span', { class: 'mi-chat-muted' }, 'estimated cost: '),
          `~$${approval.costUsd.toFixed(2)}`
        )
      );
    }
    const key = codeArgument(approval.arguments);
    let editor: HTMLTextAreaElement | null = null;
    const code = proposedCode(approval.arguments);
    if (key !== null && code !== null) {
      editor = el('textarea', {
        class: 'mi-chat-editor',
        spellcheck: 'false',
        wrap: 'off',
        rows: String(Math.max(3, Math.min(16, code.split('\n').length + 1))),
        'aria-label': `${key} to run (edit it before approving)`
      });
      editor.value = code;
      box.append(
        el('label', { class: 'mi-chat-label' }, `${key} (edit it before approving if you like)`),
        editor
      );
    }
    const rest = Object.fromEntries(
      Object.entries(approval.arguments).filter(([name]) => name !== key)
    );
    const others = argumentList(rest);
    if (others !== null) {
      box.append(others);
    }
    const feedback = el('input', {
      class: 'mi-chat-feedback',
      type: 'text',
      placeholder: 'feedback (optional)',
      title: 'Sent to the agent with Reject',
      'aria-label': 'feedback for the agent'
    });
    const status = el('span', { class: 'mi-chat-muted mi-chat-sending' });
    const controls: (HTMLButtonElement | HTMLInputElement | HTMLTextAreaElement)[] = [feedback];
    if (editor) {
      controls.push(editor);
    }
    const decide = (decision: Decision): void => {
      // Read the boxes now: what is on screen at the click is what goes.
      this.onDecide(decision, feedback.value, editor === null ? null : editor.value);
      for (const control of controls) {
        control.disabled = true;
      }
      status.textContent = 'sent…';
    };
    const buttons = [
      button('Approve', 'mi-chat-approve', () => decide('approve'), 'ok'),
      button('Reject', 'mi-chat-reject', () => decide('reject'), 'no'),
      button('Approve all this session', 'mi-chat-approve-all', () => decide('approve_all'), 'ok')
    ];
    controls.push(...buttons);
    box.append(feedback, el('div', { class: 'mi-chat-buttons' }, ...buttons, status));
    return box;
  }

  private settledView(approval: ApprovalView): HTMLElement {
    const sent = approval.sent;
    const outcome = approval.outcome;
    let iconName: 'ok' | 'no' | 'stop' = 'ok';
    let summary = 'approved';
    let diff = '';
    if (outcome === 'cancelled') {
      iconName = 'stop';
      summary = 'not decided: the turn was stopped';
    } else if (outcome === 'rejected') {
      iconName = 'no';
      const words = sent?.decision === 'reject' ? sent.feedback.trim() : '';
      summary = words ? `rejected: ‘${words}’` : 'rejected';
    } else if (sent !== null && sent.decision !== 'reject') {
      summary = sent.edited ? 'approved (edited)' : 'approved';
      if (sent.decision === 'approve_all') {
        summary += ' (and everything else this session)';
      }
      const proposed = proposedCode(approval.arguments);
      if (sent.edited && proposed !== null && sent.code !== null) {
        diff = lineDiff(proposed, sent.code);
      }
    }
    const line = el(
      'div',
      { class: `mi-chat-approval-line mi-chat-outcome-${outcome ?? 'pending'}` },
      icon(iconName),
      el('span', { class: 'mi-chat-summary' }, `${this.tool} ${summary}`)
    );
    if (diff) {
      line.append(
        el(
          'details',
          { class: 'mi-chat-diff' },
          el('summary', {}, 'show the edit'),
          el('pre', {}, diff)
        )
      );
    }
    return line;
  }

  private approval: ApprovalView;
}
