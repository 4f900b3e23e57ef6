/**
 * The sidebar panel (`#ml-intern-chat`): header (notebook, model picker, Stop / New session /
 * Export), connection banner, conversation, plan, message box and footer. It shows one
 * client's state at a time and redraws at most once per animation frame.
 */
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Message } from '@lumino/messaging';
import { Panel, Widget } from '@lumino/widgets';

import { ChatClient } from '../client';
import { setModel, userInput } from '../codec';
import { ChatState } from '../reducer';
import { Conversation } from './conversation';
import { button, el, formatInt, icon } from './dom';
import { chatIcon } from './icons';

export const PANEL_ID = 'ml-intern-chat';

/** What the panel follows: the active notebook and the client of its kernel. */
export interface PanelTarget {
  /** The notebook's name, or null when no notebook is open. */
  notebook: string | null;
  /** The client of the notebook's kernel, or null when it has none. */
  client: ChatClient | null;
}

export class ChatPanel extends Panel {
  constructor(rendermime: IRenderMimeRegistry) {
    super();
    this.id = PANEL_ID;
    this.addClass('mi-chat');
    this.title.icon = chatIcon;
    this.title.caption = 'ML Intern chat';
    this.conversation = new Conversation(rendermime, (id, decision, feedback, code) =>
      this.client?.decide(id, decision, feedback, code)
    );
    this.addWidget(new Widget({ node: this.buildHeader() }));
    this.addWidget(new Widget({ node: this.banner }));
    this.addWidget(this.conversation);
    this.addWidget(new Widget({ node: this.plan }));
    this.addWidget(new Widget({ node: this.buildComposer() }));
    this.addWidget(new Widget({ node: this.footer }));
    this.render();
  }

  /** Follow another notebook (or none); its session is drawn from its client's state. */
  follow(target: PanelTarget): void {
    if (target.client !== this.client) {
      this.client?.changed.disconnect(this.scheduleRender, this);
      this.client = target.client;
      this.client?.changed.connect(this.scheduleRender, this);
      this.conversation.clear();
      this.shownState = null;
    }
    this.notebook = target.notebook;
    this.scheduleRender();
  }

  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    if (this.isAttached) {
      this.input.focus();
    }
  }

  dispose(): void {
    this.client?.changed.disconnect(this.scheduleRender, this);
    if (this.frame !== 0) {
      cancelAnimationFrame(this.frame);
    }
    super.dispose();
  }

  // ------------------------------------------------------------------ building

  private buildHeader(): HTMLElement {
    const list = this.models;
    this.modelInput.setAttribute('list', list.id);
    this.modelInput.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        event.preventDefault();
        this.commitModel();
      } else if (event.key === 'Escape') {
        this.modelInput.value = this.client?.state.model ?? '';
        this.modelInput.blur();
      }
    });
    this.modelInput.addEventListener('change', () => this.commitModel());
    this.modelInput.addEventListener('blur', () => this.scheduleRender());
    return el(
      'div',
      { class: 'mi-chat-header' },
      el(
        'div',
        { class: 'mi-chat-title' },
        el('b', {}, 'ML Intern'),
        this.notebookLabel,
        this.yoloChip
      ),
      el(
        'div',
        { class: 'mi-chat-model' },
        el('label', { for: this.modelInput.id }, 'Model'),
        this.modelInput,
        list
      ),
      el('div', { class: 'mi-chat-actions' }, this.stopButton, this.newButton, this.exportButton)
    );
  }

  private buildComposer(): HTMLElement {
    this.input.addEventListener('keydown', event => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.sendMessage();
      }
    });
    this.input.addEventListener('input', () => this.fitInput());
    return el(
      'div',
      { class: 'mi-chat-composer' },
      this.input,
      el('div', { class: 'mi-chat-composer-row' }, this.hint, this.sendButton)
    );
  }

  private fitInput(): void {
    const input = this.input;
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight + 2, 200)}px`;
  }

  // ------------------------------------------------------------------ actions

  private sendMessage(): void {
    const text = this.input.value;
    const client = this.client;
    if (!text.trim()) {
      return;
    }
    if (client === null || client.connection.status !== 'attached') {
      this.setHint('Not connected to ML Intern in this kernel.');
      return;
    }
    if (client.state.busy) {
      this.setHint('The agent is working: wait for it, or Stop it.');
      return;
    }
    if (client.submit(userInput(text))) {
      this.input.value = '';
      this.fitInput();
      this.setHint('');
    }
  }

  private commitModel(): void {
    const model = this.modelInput.value.trim();
    const client = this.client;
    if (!model || client === null || model === client.state.model || model === this.modelSent) {
      return;
    }
    if (client.submit(setModel(model))) {
      this.modelSent = model;
      this.modelInput.blur();
    }
  }

  private setHint(text: string): void {
    this.hint.textContent = text;
  }

  // ------------------------------------------------------------------ drawing

  private scheduleRender(): void {
    if (this.frame === 0) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.render();
      });
    }
  }

  private render(): void {
    const client = this.client;
    const state = client?.state ?? null;
    const attached = client !== null && client.connection.status === 'attached';
    this.notebookLabel.textContent = this.notebook ?? '';
    this.renderBanner();
    if (state !== null && state !== this.shownState) {
      this.conversation.render(state.items);
      this.renderPlan(state);
    } else if (state === null) {
      this.conversation.clear();
      this.renderPlan(null);
    }
    this.shownState = state;
    const busy = state?.busy ?? false;
    this.stopButton.disabled = !attached || !busy;
    this.newButton.disabled = !attached || busy;
    this.exportButton.disabled = !attached;
    this.sendButton.disabled = !attached;
    this.modelInput.disabled = !attached;
    if (document.activeElement !== this.modelInput) {
      this.modelInput.value = state?.model ?? '';
      this.modelSent = null;
    }
    this.renderModels(state?.models ?? []);
    this.yoloChip.hidden = !(state?.yolo ?? false);
    this.node.classList.toggle('mi-chat-busy', busy);
    this.renderFooter(attached ? state : null);
  }

  private renderModels(models: readonly string[]): void {
    if (models === this.shownModels) {
      return;
    }
    this.shownModels = models;
    this.models.replaceChildren(...models.map(model => el('option', { value: model })));
  }

  private renderBanner(): void {
    const banner = this.banner;
    const client = this.client;
    let text: string;
    let action: HTMLButtonElement | null = null;
    let hint = '';
    if (this.notebook === null) {
      text = 'Open a notebook: the chat talks to ML Intern in its kernel.';
    } else if (client === null) {
      text = 'This notebook has no kernel. Start one to chat with ML Intern.';
    } else {
      const { status, detail } = client.connection;
      text = detail;
      if (status === 'not-loaded') {
        action = button(
          'Load ML Intern in this kernel',
          'mi-chat-load',
          () => void client.loadExtension()
        );
        hint = 'It runs %load_ext ml_intern_jupyter in the kernel.';
      } else if (status === 'closed' || status === 'dead') {
        action = button('Reconnect', 'mi-chat-load', () => client.attach());
      } else if (status === 'attached') {
        text = '';
      } else if (status === 'detached') {
        text = 'Connecting…';
      }
    }
    const key = `${text}|${action?.textContent ?? ''}|${hint}`;
    if (key === this.shownBanner) {
      return;
    }
    this.shownBanner = key;
    banner.hidden = text === '';
    banner.replaceChildren(el('div', {}, text));
    if (action !== null) {
      banner.append(action);
    }
    if (hint) {
      banner.append(el('div', { class: 'mi-chat-muted' }, hint));
    }
  }

  private renderPlan(state: ChatState | null): void {
    const todos = state?.plan ?? null;
    if (todos === this.shownPlan) {
      return;
    }
    this.shownPlan = todos;
    this.plan.hidden = todos === null || todos.length === 0;
    if (todos === null) {
      this.plan.replaceChildren();
      return;
    }
    this.plan.replaceChildren(
      el('div', { class: 'mi-chat-plan-title' }, 'Plan'),
      el(
        'ul',
        {},
        ...todos.map(todo =>
          el(
            'li',
            { class: `mi-chat-todo-${todo.status}` },
            icon(todo.status === 'completed' ? 'checked' : 'box'),
            el('span', {}, todo.content),
            todo.status === 'in_progress'
              ? el('span', { class: 'mi-chat-muted' }, ' (in progress)')
              : null
          )
        )
      )
    );
  }

  private renderFooter(state: ChatState | null): void {
    let text = '';
    if (state !== null) {
      const { prompt_tokens, completion_tokens, spend_usd } = state.usage;
      const spend = spend_usd ? ` · ~$${spend_usd.toFixed(2)} estimated job spend` : '';
      text =
        `${state.busy ? 'working' : 'idle'} · ${formatInt(prompt_tokens)} in / ` +
        `${formatInt(completion_tokens)} out tokens${spend}`;
    }
    if (this.footer.textContent !== text) {
      this.footer.textContent = text;
    }
  }

  private client: ChatClient | null = null;
  private notebook: string | null = null;
  private shownState: ChatState | null = null;
  private shownModels: readonly string[] | null = null;
  private shownPlan: ChatState['plan'] | undefined = undefined;
  private shownBanner = '';
  private modelSent: string | null = null;
  private frame = 0;
  private readonly models = el('datalist', { id: `${PANEL_ID}-models` });
  private readonly conversation: Conversation;
  private readonly banner = el('div', { class: 'mi-chat-banner', role: 'status' });
  private readonly plan = el('div', { class: 'mi-chat-plan' });
  private readonly footer = el('div', { class: 'mi-chat-footer' });
  private readonly notebookLabel = el('span', { class: 'mi-chat-notebook mi-chat-muted' });
  private readonly yoloChip = el(
    'span',
    { class: 'mi-chat-chip', title: 'Tool calls run without asking' },
    'auto-approve on'
  );
  private readonly modelInput = el('input', {
    id: `${PANEL_ID}-model`,
    class: 'mi-chat-model-input',
    type: 'text',
    spellcheck: 'false',
    placeholder: 'model id',
    'aria-label': 'model'
  });
  private readonly stopButton = button(
    'Stop',
    'mi-chat-stop',
    () => this.client?.stop(),
    'stop',
    'Interrupt the running turn'
  );
  private readonly newButton = button(
    'New session',
    'mi-chat-new',
    () => this.client?.submit({ op: 'new' }),
    undefined,
    'Start a fresh conversation'
  );
  private readonly exportButton = button(
    'Export',
    'mi-chat-export',
    () => this.client?.exportSession(),
    undefined,
    'Upload the session trace to the Hub (private)'
  );
  private readonly sendButton = button('Send', 'mi-chat-send', () => this.sendMessage(), 'send');
  private readonly hint = el('span', {
    class: 'mi-chat-hint mi-chat-muted',
    'aria-live': 'polite'
  });
  private readonly input = el('textarea', {
    class: 'mi-chat-input',
    rows: '2',
    placeholder: 'Message ML Intern (Enter sends, Shift+Enter: new line)',
    'aria-label': 'message to ML Intern'
  });
}
