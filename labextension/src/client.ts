/**
 * The panel's connection to one kernel: one `ml_intern` comm, the session state reduced from
 * what arrives on it, and the answers to the kernel's notebook requests.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { Decision, approvalOperation } from './approval';
import {
  NotebookOutcome,
  exportMessage,
  helloMessage,
  notebookReply,
  opMessage,
  parseKernelMessage
} from './codec';
import {
  COMM_TARGET,
  FrontendMessage,
  KernelMessage as WireMessage,
  NotebookRequestMessage,
  Operation
} from './protocol';
import { ChatAction, ChatState, initialState, reduce } from './reducer';

/** The parts of a kernel connection the client uses. */
export type KernelPort = Pick<
  Kernel.IKernelConnection,
  | 'id'
  | 'status'
  | 'isDisposed'
  | 'disposed'
  | 'statusChanged'
  | 'connectionStatusChanged'
  | 'createComm'
  | 'requestExecute'
  | 'interrupt'
>;

export type ConnectionStatus =
  | 'detached' // not tried yet
  | 'connecting' // the comm is open, no welcome yet
  | 'waiting' // no welcome yet, but the kernel is busy: it may answer later
  | 'attached'
  | 'not-loaded' // the comm was refused or never answered
  | 'loading' // running `%load_ext ml_intern_jupyter`
  | 'restarting'
  | 'dead'
  | 'closed'; // the kernel side closed an attached comm

export interface Connection {
  status: ConnectionStatus;
  detail: string;
}

export type NotebookRequestHandler = (request: NotebookRequestMessage) => Promise<NotebookOutcome>;

export interface ClientOptions {
  /** Resend `hello` once after this long without a welcome. */
  helloRetryMs?: number;
  /** Give up waiting for a welcome (while the kernel is idle) after this long. */
  welcomeTimeoutMs?: number;
  /** After Stop, interrupt the kernel if the turn still runs this much later. */
  stopGraceMs?: number;
}

const LOAD_CODE = '%load_ext ml_intern_jupyter';
/** Code that may have loaded the extension (or needs it): attach when it finished. */
const LOADS_EXTENSION = /ml_intern_jupyter|^\s*%%?intern\b/m;

export class ChatClient {
  constructor(
    readonly kernel: KernelPort,
    private readonly onNotebookRequest: NotebookRequestHandler,
    options: ClientOptions = {}
  ) {
    this.helloRetryMs = options.helloRetryMs ?? 1500;
    this.welcomeTimeoutMs = options.welcomeTimeoutMs ?? 4000;
    this.stopGraceMs = options.stopGraceMs ?? 500;
    kernel.statusChanged.connect(this.onStatus, this);
    kernel.connectionStatusChanged.connect(this.onConnection, this);
    kernel.disposed.connect(this.dispose, this);
  }

  /** Emitted after the state or the connection changed. */
  get changed(): ISignal<this, void> {
    return this.changedSignal;
  }

  get state(): ChatState {
    return this.chat;
  }

  get connection(): Connection {
    return this.link;
  }

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /** Open a comm and say hello; a welcome makes the client attached. */
  attach(): void {
    if (this.disposedFlag) {
      return;
    }
    this.closeComm();
    this.setLink('connecting', 'Connecting to ML Intern in this kernel…');
    let comm: Kernel.IComm;
    try {
      comm = this.kernel.createComm(COMM_TARGET);
    } catch (error) {
      this.setLink('not-loaded', `Could not open the chat connection: ${String(error)}`);
      return;
    }
    this.comm = comm;
    comm.onMsg = msg => this.receive(msg.content.data);
    comm.onClose = () => this.commClosed(comm);
    this.quietly(() => comm.open(helloMessage()));
    this.startWelcomeTimers();
  }

  /** Attach now if the kernel can answer, else once it is idle. */
  attachWhenReady(): void {
    if (this.kernel.status === 'idle' || this.kernel.status === 'busy') {
      this.attach();
    } else {
      this.wantAttach = true;
      this.setLink('connecting', 'Waiting for the kernel…');
    }
  }

  /**
   * A cell of this kernel's notebook ran `code`: when it may have loaded the extension, attach
   * when the kernel is idle again, or soon if the cell keeps running (a `%%intern` turn).
   */
  noteExecution(code: string): void {
    const status = this.link.status;
    if (!LOADS_EXTENSION.test(code) || status === 'attached' || status === 'loading') {
      return;
    }
    this.wantAttach = true;
    if (this.lateTimer === null) {
      this.lateTimer = setTimeout(() => {
        this.lateTimer = null;
        if (this.wantAttach && this.kernel.status === 'busy' && this.comm === null) {
          this.attach();
        }
      }, this.welcomeTimeoutMs / 4);
    }
  }

  /**
   * Stop the running turn: the `interrupt` operation, then a kernel interrupt if the turn
   * still runs after `stopGraceMs` (blocking code holds the kernel's loop, so the operation
   * cannot arrive; SIGINT reaches it).
   */
  stop(): boolean {
    if (!this.submit({ op: 'interrupt' })) {
      return false;
    }
    if (this.stopTimer !== null) {
      clearTimeout(this.stopTimer);
    }
    this.stopTimer = setTimeout(() => {
      this.stopTimer = null;
      if (!this.disposedFlag && this.chat.busy) {
        this.kernel.interrupt().catch((error: unknown) => {
          console.warn('ml-intern: could not interrupt the kernel', error);
        });
      }
    }, this.stopGraceMs);
    return true;
  }

  /** Submit an operation to the attached session; false when not attached. */
  submit(op: Operation): boolean {
    return this.send(opMessage(op));
  }

  /** Send the user's approval decision with the card's text as it is now. */
  decide(toolCallId: string, decision: Decision, feedback: string, code: string | null): boolean {
    const item = this.chat.items.find(i => i.kind === 'tool' && i.id === toolCallId);
    if (item?.kind !== 'tool' || item.tool.approval === null) {
      return false;
    }
    const { op, local } = approvalOperation(
      toolCallId,
      item.tool.approval.arguments,
      decision,
      feedback,
      code
    );
    if (!this.submit(op)) {
      this.dispatch({
        type: 'note',
        level: 'error',
        message: 'Not connected: the decision was not sent.'
      });
      return false;
    }
    this.dispatch({ type: 'decided', toolCallId, local });
    return true;
  }

  exportSession(): boolean {
    const sent = this.send(exportMessage());
    if (sent) {
      this.dispatch({ type: 'note', level: 'info', message: 'Exporting the session to the Hub…' });
    }
    return sent;
  }

  /** Run `%load_ext ml_intern_jupyter` silently in the kernel, then attach. */
  async loadExtension(): Promise<void> {
    if (this.disposedFlag) {
      return;
    }
    this.setLink('loading', 'Loading ML Intern in this kernel…');
    try {
      const future = this.kernel.requestExecute({
        code: LOAD_CODE,
        silent: true,
        store_history: false,
        allow_stdin: false
      });
      const reply = await future.done;
      const content = reply.content;
      if (content.status === 'ok') {
        this.attach();
      } else if (content.status === 'error') {
        this.setLink('not-loaded', `Loading failed: ${content.ename}: ${content.evalue}`);
      } else {
        this.setLink('not-loaded', 'Loading was aborted.');
      }
    } catch (error) {
      this.setLink('not-loaded', `Loading failed: ${String(error)}`);
    }
  }

  dispose(): void {
    if (this.disposedFlag) {
      return;
    }
    this.disposedFlag = true;
    this.clearTimers();
    for (const timer of [this.lateTimer, this.stopTimer]) {
      if (timer !== null) {
        clearTimeout(timer);
      }
    }
    this.closeComm();
    this.kernel.statusChanged.disconnect(this.onStatus, this);
    this.kernel.connectionStatusChanged.disconnect(this.onConnection, this);
    this.kernel.disposed.disconnect(this.dispose, this);
    Signal.clearData(this);
  }

  // ------------------------------------------------------------------ receiving

  private receive(data: unknown): void {
    const parsed = parseKernelMessage(data);
    if (!parsed.ok) {
      console.warn(`ml-intern: ignored a malformed message from the kernel: ${parsed.error}`, data);
      return;
    }
    for (const warning of parsed.warnings) {
      console.warn(`ml-intern: ${warning}`);
    }
    this.handle(parsed.value);
  }

  private handle(message: WireMessage): void {
    switch (message.kind) {
      case 'welcome':
        this.clearTimers();
        this.wantAttach = false;
        this.dispatch({ type: 'welcome', welcome: message });
        this.setLink('attached', '');
        return;
      case 'event':
        this.dispatch({ type: 'event', event: message.event });
        return;
      case 'error':
        this.dispatch({ type: 'kernel_error', message: message.message });
        return;
      case 'export_result':
        this.dispatch({ type: 'export_result', result: message });
        return;
      case 'notebook_request':
        void this.answer(message);
        return;
    }
  }

  private async answer(request: NotebookRequestMessage): Promise<void> {
    let outcome: NotebookOutcome;
    try {
      outcome = await this.onNotebookRequest(request);
    } catch (error) {
      outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (!this.send(notebookReply(request.request_id, outcome))) {
      console.warn(
        `ml-intern: could not answer notebook request ${request.request_id}: not connected`
      );
    }
  }

  // ------------------------------------------------------------------ kernel life

  private onStatus(_: unknown, status: KernelMessage.Status): void {
    switch (status) {
      case 'restarting':
      case 'autorestarting':
        this.reset('restarting', 'The kernel is restarting…');
        this.restarted = true;
        return;
      case 'dead':
        this.reset('dead', 'The kernel died.');
        return;
      case 'idle':
        if (this.link.status === 'restarting' || (this.wantAttach && this.comm === null)) {
          this.wantAttach = false; // one try per wish: a refusal makes the kernel idle again
          this.attach();
        } else if (this.link.status === 'waiting') {
          this.startWelcomeTimers();
        }
        return;
      default:
        return;
    }
  }

  private onConnection(_: unknown, status: Kernel.ConnectionStatus): void {
    if (status === 'connected' && this.link.status === 'attached' && this.comm !== null) {
      // The websocket came back: ask for the session again, events may have been missed.
      this.send(helloMessage());
    }
  }

  private reset(status: ConnectionStatus, detail: string): void {
    this.clearTimers();
    this.comm = null; // the kernel's comms are gone with it
    this.chat = initialState();
    this.setLink(status, detail);
  }

  private commClosed(comm: Kernel.IComm): void {
    if (comm !== this.comm) {
      return;
    }
    this.comm = null;
    this.clearTimers();
    if (this.link.status === 'attached') {
      this.setLink('closed', 'The kernel closed the chat connection.');
    } else {
      this.notLoaded();
    }
  }

  private notLoaded(): void {
    this.setLink(
      'not-loaded',
      this.restarted
        ? 'The kernel restarted: ML Intern is not loaded in it any more.'
        : 'ML Intern is not loaded in this kernel.'
    );
  }

  private startWelcomeTimers(): void {
    this.clearTimers();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.comm !== null && this.link.status === 'connecting') {
        const comm = this.comm;
        this.quietly(() => comm.send(helloMessage()));
      }
    }, this.helloRetryMs);
    this.timeoutTimer = setTimeout(() => {
      this.timeoutTimer = null;
      if (this.link.status !== 'connecting' && this.link.status !== 'waiting') {
        return;
      }
      if (this.kernel.status === 'busy') {
        this.setLink('waiting', 'The kernel is busy; the chat attaches when it answers.');
      } else {
        this.closeComm();
        this.notLoaded();
      }
    }, this.welcomeTimeoutMs);
  }

  // ------------------------------------------------------------------ helpers

  private send(message: FrontendMessage): boolean {
    const comm = this.comm;
    if (comm === null || comm.isDisposed || this.link.status !== 'attached') {
      return false;
    }
    return this.quietly(() => comm.send(message));
  }

  /** Run a comm call; its future's rejection (kernel gone) is logged, not thrown. */
  private quietly(call: () => Kernel.IShellFuture): boolean {
    try {
      call().done.catch((error: unknown) => {
        console.warn('ml-intern: comm message failed', error);
      });
      return true;
    } catch (error) {
      console.warn('ml-intern: comm message failed', error);
      return false;
    }
  }

  private closeComm(): void {
    const comm = this.comm;
    this.comm = null;
    if (comm !== null && !comm.isDisposed) {
      try {
        comm.close();
      } catch {
        // the kernel is gone already
      }
    }
  }

  private clearTimers(): void {
    for (const timer of [this.retryTimer, this.timeoutTimer]) {
      if (timer !== null) {
        clearTimeout(timer);
      }
    }
    this.retryTimer = this.timeoutTimer = null;
  }

  private dispatch(action: ChatAction): void {
    const next = reduce(this.chat, action);
    if (next !== this.chat) {
      this.chat = next;
      this.changedSignal.emit();
    }
  }

  private setLink(status: ConnectionStatus, detail: string): void {
    if (status === this.link.status && detail === this.link.detail) {
      return;
    }
    this.link = { status, detail };
    if (status === 'attached') {
      this.restarted = false;
    }
    this.changedSignal.emit();
  }

  private readonly changedSignal = new Signal<this, void>(this);
  private readonly helloRetryMs: number;
  private readonly welcomeTimeoutMs: number;
  private readonly stopGraceMs: number;
  private stopTimer: ReturnType<typeof setTimeout> | null = null;
  private chat: ChatState = initialState();
  private link: Connection = { status: 'detached', detail: '' };
  private comm: Kernel.IComm | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private timeoutTimer: ReturnType<typeof setTimeout> | null = null;
  private lateTimer: ReturnType<typeof setTimeout> | null = null;
  private wantAttach = false;
  private restarted = false;
  private disposedFlag = false;
}
