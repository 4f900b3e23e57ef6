/**
 * One tool call: a head (state icon, name, state) that folds the card, then its arguments,
 * approval card, rich displays, live log and result. Each part is redrawn only when its data
 * changed, so a pending approval keeps its editor untouched while logs stream in.
 */
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Panel, Widget } from '@lumino/widgets';

import { CODE_ARGUMENTS } from '../approval';
import { DisplayView, ToolView } from '../reducer';
import { ToolState } from '../protocol';
import { ApprovalCard, DecideHandler } from './approvalCard';
import { argumentList, clip, el, icon } from './dom';
import { IconName } from './icons';
import { MarkdownView, fenced } from './markdown';

const STATE_LABELS: { [S in ToolState]: [IconName, string] } = {
  pending_approval: ['ask', 'needs approval'],
  approved: ['ok', 'approved'],
  running: ['run', 'running'],
  done: ['ok', 'done'],
  failed: ['no', 'failed'],
  rejected: ['no', 'rejected'],
  cancelled: ['stop', 'cancelled']
};
const OPEN_STATES: ReadonlySet<ToolState> = new Set(['pending_approval', 'running', 'approved']);
const LOG_SHOWN = 40;

function language(tool: string, key: string): string {
  return tool === 'bash' || key === 'command' ? 'bash' : key === 'code' ? 'python' : '';
}

class DisplayArea extends Panel {
  constructor(private readonly rendermime: IRenderMimeRegistry) {
    super();
    this.addClass('mi-chat-displays');
  }

  refresh(displays: DisplayView[]): void {
    const keep = new Set(displays.map(d => d.key));
    for (const [key, entry] of this.entries) {
      if (!keep.has(key)) {
        entry.widget.dispose();
        this.entries.delete(key);
      }
    }
    displays.forEach((display, index) => {
      const entry = this.entries.get(display.key);
      if (entry !== undefined && entry.display === display) {
        return;
      }
      const mime = this.rendermime.preferredMimeType(display.data, 'ensure');
      if (mime === undefined) {
        return;
      }
      let renderer = entry?.widget;
      if (renderer === undefined || entry?.mime !== mime) {
        renderer?.dispose();
        renderer = this.rendermime.createRenderer(mime);
        renderer.addClass('mi-chat-display');
      }
      this.insertWidget(index, renderer);
      this.entries.set(display.key, { display, widget: renderer, mime });
      const model = new MimeModel({
        data: display.data,
        metadata: display.metadata,
        trusted: false
      });
      renderer.renderModel(model).catch((error: unknown) => {
        console.warn('ml-intern: display render failed', error);
      });
    });
  }

  private readonly entries = new Map<
    string,
    { display: DisplayView; widget: IRenderMime.IRenderer; mime: string }
  >();
}

export class ToolCard extends Panel {
  constructor(
    private readonly rendermime: IRenderMimeRegistry,
    private readonly onDecide: DecideHandler,
    private readonly onRendered: () => void
  ) {
    super();
    this.displays = new DisplayArea(rendermime);
    this.addClass('mi-chat-tool');
    this.head.setAttribute('role', 'button');
    this.head.tabIndex = 0;
    this.head.addEventListener('click', () => this.toggle());
    this.head.addEventListener('keydown', event => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        this.toggle();
      }
    });
    this.addWidget(new Widget({ node: this.head }));
    this.argsArea.addClass('mi-chat-tool-args');
    this.addWidget(this.argsArea);
    this.addWidget(this.displays);
    this.log.addClass('mi-chat-log');
    this.addWidget(this.log);
    this.result.addClass('mi-chat-result');
    this.addWidget(this.result);
  }

  refresh(tool: ToolView): void {
    const previous = this.tool;
    this.tool = tool;
    if (previous?.state !== tool.state || previous.name !== tool.name) {
      this.drawHead(tool);
    }
    if (
      previous?.arguments !== tool.arguments ||
      previous.approval?.outcome !== tool.approval?.outcome
    ) {
      this.drawArguments(tool);
    }
    if (tool.approval !== null && previous?.approval !== tool.approval) {
      this.drawApproval(tool);
    }
    if (previous?.displays !== tool.displays) {
      this.displays.refresh(tool.displays);
    }
    if (previous?.log !== tool.log) {
      this.drawLog(tool);
    }
    if (previous?.output !== tool.output || previous.ok !== tool.ok) {
      this.drawResult(tool);
    }
  }

  private toggle(): void {
    this.userFolded = !this.isFolded();
    this.setFolded(this.userFolded);
  }

  private isFolded(): boolean {
    return this.hasClass('mi-chat-folded');
  }

  private setFolded(folded: boolean): void {
    this.toggleClass('mi-chat-folded', folded);
    this.head.setAttribute('aria-expanded', String(!folded));
  }

  private drawHead(tool: ToolView): void {
    const [iconName, label] = STATE_LABELS[tool.state];
    for (const state of Object.keys(STATE_LABELS)) {
      this.removeClass(`mi-chat-state-${state}`);
    }
    this.addClass(`mi-chat-state-${tool.state}`);
    this.head.className = 'mi-chat-tool-head';
    this.head.replaceChildren(
      icon('chevron', 'mi-chat-chevron'),
      icon(iconName, 'mi-chat-state-icon'),
      el('b', {}, tool.name),
      el('span', { class: 'mi-chat-muted' }, label)
    );
    // Open while it runs or waits, folded once it ended well, unless the user chose.
    if (this.userFolded === null) {
      this.setFolded(!OPEN_STATES.has(tool.state) && tool.state !== 'failed');
    }
  }

  private drawArguments(tool: ToolView): void {
    for (const widget of [...this.argsArea.widgets]) {
      widget.dispose();
    }
    if (tool.approval !== null && tool.approval.outcome === null) {
      return; // the approval card shows them, editable
    }
    const plain: { [key: string]: unknown } = {};
    for (const [key, value] of Object.entries(tool.arguments)) {
      if ((CODE_ARGUMENTS as readonly string[]).includes(key) && typeof value === 'string') {
        const label = new Widget({
          node: el('div', { class: 'mi-chat-muted mi-chat-arg-name' }, key)
        });
        const code = new MarkdownView(this.rendermime, this.onRendered);
        code.addClass('mi-chat-code');
        code.setText(fenced(value, language(tool.name, key)));
        this.argsArea.addWidget(label);
        this.argsArea.addWidget(code);
      } else {
        plain[key] = value;
      }
    }
    const list = argumentList(plain);
    if (list !== null) {
      this.argsArea.addWidget(new Widget({ node: list }));
    }
  }

  private drawApproval(tool: ToolView): void {
    const approval = tool.approval;
    if (approval === null) {
      return;
    }
    if (this.approvalCard === null) {
      this.approvalCard = new ApprovalCard(tool.name, approval, this.onDecide);
      this.insertWidget(2, this.approvalCard);
    } else {
      this.approvalCard.refresh(approval);
    }
  }

  private drawLog(tool: ToolView): void {
    const node = this.log.node;
    if (!tool.log.length) {
      node.replaceChildren();
      return;
    }
    const hidden = tool.hiddenLog + Math.max(0, tool.log.length - LOG_SHOWN);
    const text =
      (hidden ? `… ${hidden} earlier lines\n` : '') + tool.log.slice(-LOG_SHOWN).join('\n');
    let pre = node.firstElementChild;
    if (pre === null) {
      pre = el('pre', {});
      node.append(pre);
    }
    pre.textContent = text;
  }

  private drawResult(tool: ToolView): void {
    const node = this.result.node;
    if (tool.output === null) {
      node.replaceChildren();
      return;
    }
    const details = el(
      'details',
      {},
      el('summary', {}, tool.ok ? 'result' : 'result (failed)'),
      el('pre', {}, clip(tool.output))
    );
    details.open = !tool.ok;
    node.replaceChildren(details);
    if (!tool.ok && this.userFolded === null) {
      this.setFolded(false);
    }
  }

  private tool: ToolView | null = null;
  private userFolded: boolean | null = null;
  private approvalCard: ApprovalCard | null = null;
  private readonly head = el('div', { class: 'mi-chat-tool-head' });
  private readonly argsArea = new Panel();
  private readonly displays: DisplayArea;
  private readonly log = new Widget();
  private readonly result = new Widget();
}
