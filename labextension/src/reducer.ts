/**
 * The panel's state as a pure function of what arrived: `reduce(state, action)`.
 *
 * Events are applied in `seq` order within a session id: a duplicate or an older event
 * (a replay that overlaps live events) is dropped, and the state object is returned
 * unchanged, so callers can tell. A `welcome` starts over from its replay.
 */
import { LocalDecision, codeArgument } from './approval';
import {
  AgentEvent,
  EventOf,
  ExportResultMessage,
  JSONObject,
  Todo,
  ToolState,
  Usage,
  WelcomeMessage
} from './protocol';

/** Log lines kept per tool card (older ones are counted, not kept). */
export const LOG_KEEP = 400;

export interface DisplayView {
  key: string;
  data: JSONObject;
  metadata: JSONObject;
}

export interface ApprovalView {
  reason: string;
  details: { [key: string]: string };
  costUsd: number | null;
  /** The arguments proposed for approval. */
  arguments: JSONObject;
  /** The state the call moved to when it left `pending_approval`; null while pending. */
  outcome: ToolState | null;
  /** What this panel sent, if the decision was made here. */
  sent: LocalDecision | null;
}

export interface ToolView {
  id: string;
  name: string;
  /** The arguments the call ran (or will run) with. */
  arguments: JSONObject;
  state: ToolState;
  log: string[];
  hiddenLog: number;
  output: string | null;
  ok: boolean;
  displays: DisplayView[];
  approval: ApprovalView | null;
}

export type NoticeLevel = 'info' | 'warning' | 'error';

export type ChatItem =
  | { kind: 'user'; id: string; text: string }
  | { kind: 'assistant'; id: string; text: string; streaming: boolean }
  | { kind: 'tool'; id: string; tool: ToolView }
  | {
      kind: 'notice';
      id: string;
      level: NoticeLevel;
      message: string;
      fix: string;
      link: string | null;
    };

export interface ChatState {
  session: string;
  sessionId: string;
  model: string;
  models: string[];
  yolo: boolean;
  busy: boolean;
  usage: Usage;
  /** The highest `seq` applied for `sessionId` (-1: none yet). */
  lastSeq: number;
  items: ChatItem[];
  plan: Todo[] | null;
  /** The assistant item of the model response in progress. */
  openAssistant: string | null;
  /** Ids for items made here (kernel errors, export results). */
  localCount: number;
  welcomed: boolean;
}

export type ChatAction =
  | { type: 'welcome'; welcome: WelcomeMessage }
  | { type: 'event'; event: AgentEvent }
  | { type: 'kernel_error'; message: string }
  | { type: 'export_result'; result: ExportResultMessage }
  | { type: 'note'; level: NoticeLevel; message: string }
  | { type: 'decided'; toolCallId: string; local: LocalDecision };

export function initialState(): ChatState {
  return {
    session: '',
    sessionId: '',
    model: '',
    models: [],
    yolo: false,
    busy: false,
    usage: { prompt_tokens: 0, completion_tokens: 0, spend_usd: 0 },
    lastSeq: -1,
    items: [],
    plan: null,
    openAssistant: null,
    localCount: 0,
    welcomed: false
  };
}

const SETTLED: ReadonlySet<ToolState> = new Set<ToolState>([
  'done',
  'failed',
  'rejected',
  'cancelled'
]);

// ---------------------------------------------------------------- helpers

function withItem(
  state: ChatState,
  id: string,
  change: (item: ChatItem) => ChatItem | null
): ChatState {
  const index = state.items.findLastIndex(item => item.id === id);
  if (index < 0) {
    return state;
  }
  const changed = change(state.items[index]);
  if (changed === state.items[index]) {
    return state;
  }
  const items = state.items.slice();
  if (changed === null) {
    items.splice(index, 1);
  } else {
    items[index] = changed;
  }
  return { ...state, items };
}

function append(state: ChatState, item: ChatItem): ChatState {
  return { ...state, items: [...state.items, item] };
}

function notice(
  state: ChatState,
  id: string,
  level: NoticeLevel,
  message: string,
  fix = '',
  link: string | null = null
): ChatState {
  return append(state, { kind: 'notice', id, level, message, fix, link });
}

function localNotice(
  state: ChatState,
  level: NoticeLevel,
  message: string,
  link: string | null = null
): ChatState {
  const next = { ...state, localCount: state.localCount + 1 };
  return notice(next, `local-${state.localCount}`, level, message, '', link);
}

function newTool(id: string, name: string, args: JSONObject): ToolView {
  return {
    id,
    name,
    arguments: args,
    state: 'running',
    log: [],
    hiddenLog: 0,
    output: null,
    ok: true,
    displays: [],
    approval: null
  };
}

/** Change tool `id` (made first if missing, as a late-joining view may see no tool_call). */
function withTool(
  state: ChatState,
  id: string,
  name: string,
  change: (tool: ToolView) => ToolView
): ChatState {
  const exists = state.items.some(item => item.kind === 'tool' && item.id === id);
  const base = exists ? state : append(state, { kind: 'tool', id, tool: newTool(id, name, {}) });
  return withItem(base, id, item =>
    item.kind === 'tool' ? { ...item, tool: change(item.tool) } : item
  );
}

function setToolState(tool: ToolView, state: ToolState): ToolView {
  let { approval, arguments: args } = tool;
  if (approval !== null && approval.outcome === null && state !== 'pending_approval') {
    approval = { ...approval, outcome: state };
    const key = codeArgument(approval.arguments);
    const sent = approval.sent;
    if (sent !== null && sent.edited && key !== null && sent.code !== null) {
      args = { ...approval.arguments, [key]: sent.code };
    }
  }
  return { ...tool, state, approval, arguments: args };
}

/** The turn is over: the response is final and nothing runs or waits any more. */
function endTurn(state: ChatState): ChatState {
  let next: ChatState = { ...state, busy: false, openAssistant: null };
  if (state.openAssistant !== null) {
    next = withItem(next, state.openAssistant, item =>
      item.kind === 'assistant' ? { ...item, streaming: false } : item
    );
  }
  const stale = next.items.some(item => item.kind === 'tool' && !SETTLED.has(item.tool.state));
  if (!stale) {
    return next;
  }
  const items = next.items.map(item =>
    item.kind === 'tool' && !SETTLED.has(item.tool.state)
      ? { ...item, tool: setToolState(item.tool, 'cancelled') }
      : item
  );
  return { ...next, items };
}

function clearConversation(state: ChatState): ChatState {
  return { ...state, items: [], plan: null, openAssistant: null, busy: false };
}

const REMEDY_WORDS: { [name: string]: string } = {
  undo: '%intern undo',
  compact: '%intern compact',
  new: 'New session',
  model: 'pick another model'
};

// ---------------------------------------------------------------- events

type Handler<T extends AgentEvent['type']> = (state: ChatState, event: EventOf<T>) => ChatState;

const HANDLERS: { [T in AgentEvent['type']]: Handler<T> } = {
  session_started: (state, e) => ({ ...state, model: e.model || state.model }),
  processing: (state, e) =>
    append(
      { ...state, busy: true, openAssistant: null },
      { kind: 'user', id: `e${e.seq}`, text: e.user_message }
    ),
  ready: state => ({ ...state, busy: false }),
  assistant_chunk: (state, e) => {
    const open = state.openAssistant;
    const item = open === null ? undefined : state.items.find(i => i.id === open);
    if (item !== undefined && item.kind === 'assistant' && item.streaming) {
      return withItem(state, item.id, () => ({
        ...item,
        text: item.text + e.content
      }));
    }
    const id = `e${e.seq}`;
    return append(
      { ...state, openAssistant: id },
      { kind: 'assistant', id, text: e.content, streaming: true }
    );
  },
  assistant_stream_end: state =>
    state.openAssistant === null
      ? state
      : withItem(state, state.openAssistant, item =>
          item.kind === 'assistant' ? { ...item, streaming: false } : item
        ),
  assistant_message: (state, e) => {
    const open = state.openAssistant;
    const next = { ...state, openAssistant: null };
    if (open !== null && next.items.some(item => item.id === open)) {
      return withItem(next, open, item => {
        if (item.kind !== 'assistant') {
          return item;
        }
        const text = e.content || item.text;
        return text ? { ...item, text, streaming: false } : null;
      });
    }
    return e.content
      ? append(next, {
          kind: 'assistant',
          id: `e${e.seq}`,
          text: e.content,
          streaming: false
        })
      : next;
  },
  tool_call: (state, e) =>
    withTool(state, e.tool_call_id, e.name, tool => ({
      ...tool,
      name: e.name,
      arguments: e.arguments
    })),
  approval_required: (state, e) =>
    withTool(state, e.tool_call_id, e.name, tool => ({
      ...tool,
      state: 'pending_approval',
      arguments: e.arguments,
      approval: {
        reason: e.reason,
        details: e.details,
        costUsd: e.cost_usd,
        arguments: e.arguments,
        outcome: null,
        sent: null
      }
    })),
  tool_state_change: (state, e) =>
    withTool(state, e.tool_call_id, e.name, tool => setToolState(tool, e.state)),
  tool_log: (state, e) =>
    withTool(state, e.tool_call_id, e.name, tool => {
      const log = [...tool.log, e.line];
      const drop = Math.max(0, log.length - LOG_KEEP);
      return {
        ...tool,
        log: drop ? log.slice(drop) : log,
        hiddenLog: tool.hiddenLog + drop
      };
    }),
  tool_display: (state, e) =>
    withTool(state, e.tool_call_id, e.name, tool => {
      const kept = e.clear ? [] : tool.displays;
      const key = e.display_id ?? `e${e.seq}`;
      const display: DisplayView = { key, data: e.data, metadata: e.metadata };
      const at = e.update ? kept.findIndex(d => d.key === key) : -1;
      const displays = at >= 0 ? kept.map((d, i) => (i === at ? display : d)) : [...kept, display];
      return { ...tool, displays };
    }),
  tool_output: (state, e) =>
    withTool(state, e.tool_call_id, e.name, tool => ({
      ...tool,
      output: e.output,
      ok: e.ok
    })),
  turn_complete: (state, e) => {
    const next = endTurn(state);
    return e.stop_reason === 'max_iterations'
      ? notice(
          next,
          `e${e.seq}`,
          'warning',
          'Stopped at the iteration cap.',
          'Send another message to go on.'
        )
      : next;
  },
  interrupted: (state, e) =>
    notice(
      endTurn(state),
      `e${e.seq}`,
      'warning',
      'Interrupted. The session is intact; send another message to go on.'
    ),
  error: (state, e) => {
    const remedies = e.remedies.map(name => REMEDY_WORDS[name] ?? name);
    const fix = [e.fix, remedies.length ? `Try: ${remedies.join(', ')}.` : '']
      .filter(Boolean)
      .join(' ');
    return notice(state, `e${e.seq}`, 'error', e.message, fix);
  },
  compacted: (state, e) =>
    e.removed_messages > 0
      ? notice(
          state,
          `e${e.seq}`,
          'info',
          `History compacted: ${e.old_tokens.toLocaleString('en-US')} → ${e.new_tokens.toLocaleString('en-US')} tokens.`
        )
      : state,
  undo_complete: (state, e) => {
    if (e.reason !== 'user') {
      return state;
    }
    const lastUser = state.items.findLastIndex(item => item.kind === 'user');
    const kept = lastUser >= 0 ? { ...state, items: state.items.slice(0, lastUser) } : state;
    return notice(
      kept,
      `e${e.seq}`,
      'info',
      `Undid the last turn (${e.removed_messages} messages).`
    );
  },
  shutdown: (state, e) => notice(endTurn(state), `e${e.seq}`, 'info', 'The session stopped.'),
  plan_update: (state, e) => ({ ...state, plan: e.todos }),
  guard_note: state => state,
  resumed: (state, e) =>
    notice(
      clearConversation(state),
      `e${e.seq}`,
      'info',
      `Resumed a saved conversation (${e.restored_messages} messages).`,
      e.notes.join(' ')
    ),
  settings_changed: (state, e) => ({ ...state, model: e.model, yolo: e.yolo }),
  usage_update: (state, e) => ({
    ...state,
    usage: {
      prompt_tokens: e.prompt_tokens,
      completion_tokens: e.completion_tokens,
      spend_usd: e.spend_usd
    }
  }),
  notice: (state, e) => {
    const level: NoticeLevel = e.level === 'error' || e.level === 'warning' ? e.level : 'info';
    return notice(state, `e${e.seq}`, level, e.message);
  }
};

function applyEvent<T extends AgentEvent['type']>(state: ChatState, event: EventOf<T>): ChatState {
  return (HANDLERS[event.type] as Handler<T>)(state, event);
}

/** Whether `event` is new for this state; a session change is accepted only at its start. */
function acceptance(state: ChatState, event: AgentEvent): 'drop' | 'apply' | 'switch' {
  const other = event.session_id !== '' && event.session_id !== state.sessionId;
  if (other) {
    if (state.sessionId === '') {
      return 'apply';
    }
    return event.type === 'session_started' || event.type === 'resumed' ? 'switch' : 'drop';
  }
  return event.seq <= state.lastSeq ? 'drop' : 'apply';
}

function reduceEvent(state: ChatState, event: AgentEvent): ChatState {
  const verdict = acceptance(state, event);
  if (verdict === 'drop') {
    return state;
  }
  let base: ChatState = { ...state, lastSeq: event.seq };
  if (event.session_id !== '') {
    base.sessionId = event.session_id;
  }
  if (verdict === 'switch') {
    base = clearConversation(base);
  }
  return applyEvent(base, event);
}

function welcome(previous: ChatState, message: WelcomeMessage): ChatState {
  let state: ChatState = {
    ...initialState(),
    session: message.session,
    sessionId: message.session_id,
    model: message.model,
    models: message.models,
    yolo: message.yolo,
    usage: message.usage,
    localCount: previous.localCount,
    welcomed: true
  };
  for (const event of message.replay) {
    state = reduceEvent(state, event);
  }
  return { ...state, busy: message.busy, yolo: message.yolo, model: message.model };
}

export function reduce(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'welcome':
      return welcome(state, action.welcome);
    case 'event':
      return reduceEvent(state, action.event);
    case 'kernel_error':
      return localNotice(state, 'error', action.message);
    case 'note':
      return localNotice(state, action.level, action.message);
    case 'export_result': {
      const r = action.result;
      if (!r.ok) {
        return localNotice(state, 'error', `Export failed: ${r.message ?? 'no reason given'}`);
      }
      const where = r.private === false ? 'public' : 'private';
      return localNotice(state, 'info', `Exported the session (${where}).`, r.url);
    }
    case 'decided':
      return withItem(state, action.toolCallId, item =>
        item.kind === 'tool' && item.tool.approval !== null && item.tool.approval.outcome === null
          ? {
              ...item,
              tool: {
                ...item.tool,
                approval: { ...item.tool.approval, sent: action.local }
              }
            }
          : item
      );
  }
}
