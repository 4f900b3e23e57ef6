/**
 * The conversation: one widget per chat item, keyed by the item's id. A render touches only
 * the items whose state object changed (the reducer makes a new object only for those).
 */
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Panel, Widget } from '@lumino/widgets';

import { ChatItem } from '../reducer';
import { DecideHandler } from './approvalCard';
import { el, icon } from './dom';
import { MarkdownView } from './markdown';
import { ToolCard } from './toolCard';

interface ItemWidget extends Widget {
  refresh(item: ChatItem): void;
}

class UserItem extends Widget implements ItemWidget {
  constructor() {
    super();
    this.addClass('mi-chat-user');
  }

  refresh(item: ChatItem): void {
    if (item.kind === 'user') {
      this.node.textContent = item.text;
    }
  }
}

class AssistantItem extends Panel implements ItemWidget {
  constructor(rendermime: IRenderMimeRegistry, onRendered: () => void) {
    super();
    this.addClass('mi-chat-assistant');
    this.markdown = new MarkdownView(rendermime, onRendered);
    this.addWidget(this.markdown);
  }

  refresh(item: ChatItem): void {
    if (item.kind === 'assistant') {
      this.toggleClass('mi-chat-streaming', item.streaming);
      this.markdown.setText(item.text);
    }
  }

  private readonly markdown: MarkdownView;
}

class NoticeItem extends Widget implements ItemWidget {
  refresh(item: ChatItem): void {
    if (item.kind !== 'notice') {
      return;
    }
    this.node.className = `mi-chat-notice mi-chat-notice-${item.level}`;
    const iconName = item.level === 'error' ? 'no' : item.level === 'warning' ? 'ask' : 'dot';
    const body = el('div', { class: 'mi-chat-notice-body' }, item.message);
    if (item.link !== null) {
      body.append(
        ' ',
        el('a', { href: item.link, target: '_blank', rel: 'noopener noreferrer' }, item.link)
      );
    }
    if (item.fix) {
      body.append(el('div', { class: 'mi-chat-fix' }, item.fix));
    }
    this.node.replaceChildren(icon(iconName), body);
  }
}

class ToolItem extends Panel implements ItemWidget {
  constructor(rendermime: IRenderMimeRegistry, onDecide: DecideHandler, onRendered: () => void) {
    super();
    this.card = new ToolCard(rendermime, onDecide, onRendered);
    this.addWidget(this.card);
  }

  refresh(item: ChatItem): void {
    if (item.kind === 'tool') {
      this.card.refresh(item.tool);
    }
  }

  private readonly card: ToolCard;
}

export type ToolDecideHandler = (toolCallId: string, ...rest: Parameters<DecideHandler>) => void;

export class Conversation extends Panel {
  constructor(
    private readonly rendermime: IRenderMimeRegistry,
    private readonly onDecide: ToolDecideHandler
  ) {
    super();
    this.addClass('mi-chat-conversation');
    this.node.addEventListener('scroll', () => {
      const node = this.node;
      this.pinned = node.scrollHeight - node.scrollTop - node.clientHeight < 40;
    });
  }

  /** Remove every item (another notebook's session is shown next). */
  clear(): void {
    for (const { widget } of this.shown.values()) {
      widget.dispose();
    }
    this.shown.clear();
    this.pinned = true;
  }

  render(items: readonly ChatItem[]): void {
    const ids = new Set(items.map(item => item.id));
    for (const [id, entry] of this.shown) {
      if (!ids.has(id)) {
        entry.widget.dispose();
        this.shown.delete(id);
      }
    }
    items.forEach((item, index) => {
      let entry = this.shown.get(item.id);
      if (entry === undefined || entry.kind !== item.kind) {
        entry?.widget.dispose();
        entry = { kind: item.kind, widget: this.create(item), item: null };
        this.shown.set(item.id, entry);
      }
      if (this.widgets[index] !== entry.widget) {
        this.insertWidget(index, entry.widget);
      }
      if (entry.item !== item) {
        entry.item = item;
        entry.widget.refresh(item);
      }
    });
    this.stickToBottom();
  }

  /** Keep the newest item in view unless the user scrolled up. */
  stickToBottom(): void {
    if (this.pinned) {
      this.node.scrollTop = this.node.scrollHeight;
    }
  }

  private create(item: ChatItem): ItemWidget {
    const rendered = (): void => this.stickToBottom();
    switch (item.kind) {
      case 'user':
        return new UserItem();
      case 'assistant':
        return new AssistantItem(this.rendermime, rendered);
      case 'notice':
        return new NoticeItem();
      case 'tool': {
        const id = item.id;
        return new ToolItem(this.rendermime, (...args) => this.onDecide(id, ...args), rendered);
      }
    }
  }

  private pinned = true;
  private readonly shown = new Map<
    string,
    { kind: ChatItem['kind']; widget: ItemWidget; item: ChatItem | null }
  >();
}
