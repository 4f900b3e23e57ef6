import { describe, expect, it } from 'vitest';

import { approvalOperation } from '../src/approval';
import { parseEvent, parseKernelMessage } from '../src/codec';
import { JSONObject } from '../src/protocol';
import { ChatAction, ChatItem, ChatState, LOG_KEEP, initialState, reduce } from '../src/reducer';
import { SESSION, wireEvent, wireWelcome } from './helpers';

/** The reducer fed exactly what the codec makes of wire JSON. */
function event(type: string, seq: number, payload: JSONObject = {}, session = SESSION): ChatAction {
  const parsed = parseEvent(wireEvent(type, seq, payload, session));
  if (!parsed.ok) {
    throw new Error(parsed.error);
  }
  return { type: 'event', event: parsed.value };
}

function welcome(replay: JSONObject[] = [], extra: JSONObject = {}): ChatAction {
  const parsed = parseKernelMessage(wireWelcome(replay, extra));
  if (!parsed.ok || parsed.value.kind !== 'welcome') {
    throw new Error('bad welcome');
  }
  return { type: 'welcome', welcome: parsed.value };
}

function run(actions: ChatAction[], start: ChatState = initialState()): ChatState {
  return actions.reduce(reduce, start);
}

function tool(state: ChatState, id: string) {
  const item = state.items.find(i => i.id === id);
  if (item?.kind !== 'tool') {
    throw new Error(`no tool ${id}`);
  }
  return item.tool;
}

function kinds(items: ChatItem[]): string[] {
  return items.map(item => item.kind);
}

const code = 'x = 1\nprint(x)';
const pythonCall = [
  event('tool_call', 5, { tool_call_id: 'c1', name: 'python', arguments: { code } }),
  event('tool_state_change', 6, { tool_call_id: 'c1', name: 'python', state: 'pending_approval' }),
  event('approval_required', 7, {
    tool_call_id: 'c1',
    name: 'python',
    arguments: { code },
    reason: 'runs code in your kernel',
    details: {},
    cost_usd: null
  })
];

describe('streaming text', () => {
  it('grows one assistant item from chunks and ends it with the final message', () => {
    const state = run([
      welcome(),
      event('processing', 1, { user_message: 'hello' }),
      event('assistant_chunk', 2, { content: 'Hel' }),
      event('assistant_chunk', 3, { content: 'lo **wor' })
    ]);
    expect(kinds(state.items)).toEqual(['user', 'assistant']);
    expect(state.items[1]).toMatchObject({ text: 'Hello **wor', streaming: true });
    expect(state.busy).toBe(true);

    const done = run(
      [
        event('assistant_stream_end', 4),
        event('assistant_message', 5, { content: 'Hello **world**' }),
        event('turn_complete', 6),
        event('ready', 7)
      ],
      state
    );
    expect(done.items[1]).toMatchObject({ text: 'Hello **world**', streaming: false });
    expect(done.items).toHaveLength(2);
    expect(done.busy).toBe(false);
    expect(done.openAssistant).toBeNull();
  });

  it('shows a reply that was not streamed', () => {
    const state = run([welcome(), event('assistant_message', 1, { content: 'All at once.' })]);
    expect(state.items).toEqual([
      { kind: 'assistant', id: 'e1', text: 'All at once.', streaming: false }
    ]);
  });

  it('keeps each model response of a turn as its own item', () => {
    const state = run([
      welcome(),
      event('assistant_chunk', 1, { content: 'First.' }),
      event('assistant_message', 2, { content: 'First.' }),
      event('assistant_chunk', 3, { content: 'Second.' })
    ]);
    expect(state.items.map(i => (i.kind === 'assistant' ? i.text : ''))).toEqual([
      'First.',
      'Second.'
    ]);
  });

  it('drops an empty response (tool calls only)', () => {
    const state = run([welcome(), event('assistant_message', 1, { content: '' })]);
    expect(state.items).toEqual([]);
    expect(state.lastSeq).toBe(1);
  });
});

describe('seq order', () => {
  it('drops a duplicate event and returns the same state object', () => {
    const state = run([welcome(), event('assistant_chunk', 1, { content: 'a' })]);
    expect(reduce(state, event('assistant_chunk', 1, { content: 'a' }))).toBe(state);
  });

  it('drops an event older than the newest applied one', () => {
    const state = run([
      welcome(),
      event('assistant_chunk', 1, { content: 'a' }),
      event('assistant_chunk', 3, { content: 'c' })
    ]);
    expect(reduce(state, event('assistant_chunk', 2, { content: 'b' }))).toBe(state);
    expect(state.items[0]).toMatchObject({ text: 'ac' });
  });

  it('accepts a gap in seq (events the panel never needed)', () => {
    const state = run([
      welcome(),
      event('processing', 1, { user_message: 'q' }),
      event('ready', 9)
    ]);
    expect(state.lastSeq).toBe(9);
    expect(state.busy).toBe(false);
  });

  it('ignores live events the welcome replay already held', () => {
    const replay = [
      wireEvent('processing', 1, { user_message: 'train' }),
      wireEvent('assistant_chunk', 2, { content: 'Work' })
    ];
    const state = run([
      welcome(replay, { busy: true }),
      event('assistant_chunk', 2, { content: 'Work' }),
      event('assistant_chunk', 3, { content: 'ing' })
    ]);
    expect(kinds(state.items)).toEqual(['user', 'assistant']);
    expect(state.items[1]).toMatchObject({ text: 'Working' });
    expect(state.busy).toBe(true);
  });

  it('drops a stale event of another session', () => {
    const state = run([welcome(), event('processing', 1, { user_message: 'q' })]);
    expect(reduce(state, event('assistant_chunk', 50, { content: 'old' }, 'session-old'))).toBe(
      state
    );
  });

  it('follows a new conversation from its session_started, from seq 1 again', () => {
    const state = run([
      welcome(),
      event('processing', 7, { user_message: 'q' }),
      event('assistant_message', 8, { content: 'a' }),
      event('session_started', 1, { model: 'm2' }, 'session-b'),
      event('ready', 2, {}, 'session-b')
    ]);
    expect(state.sessionId).toBe('session-b');
    expect(state.items).toEqual([]);
    expect(state.lastSeq).toBe(2);
    expect(state.model).toBe('m2');
  });
});

describe('welcome', () => {
  it('starts over from the replay and takes the session settings', () => {
    const before = run([welcome(), event('processing', 1, { user_message: 'old turn' })]);
    const replay = [
      wireEvent('processing', 10, { user_message: 'new turn' }),
      wireEvent('assistant_chunk', 11, { content: 'Hi' })
    ];
    const state = reduce(before, welcome(replay, { busy: true, yolo: true, model: 'm3' }));
    expect(state.items.map(i => (i.kind === 'user' ? i.text : i.kind))).toEqual([
      'new turn',
      'assistant'
    ]);
    expect(state).toMatchObject({
      welcomed: true,
      busy: true,
      yolo: true,
      model: 'm3',
      lastSeq: 11,
      sessionId: SESSION,
      models: ['scripted/a.json', 'anthropic/claude-sonnet-4-5'],
      usage: { prompt_tokens: 10, completion_tokens: 5, spend_usd: 0 }
    });
  });

  it('redraws a pending approval card from the replay', () => {
    const replay = [
      wireEvent('tool_call', 1, { tool_call_id: 'c1', name: 'python', arguments: { code } }),
      wireEvent('approval_required', 2, {
        tool_call_id: 'c1',
        name: 'python',
        arguments: { code },
        reason: 'runs code'
      })
    ];
    const state = reduce(initialState(), welcome(replay, { busy: true }));
    expect(tool(state, 'c1')).toMatchObject({
      state: 'pending_approval',
      approval: { outcome: null, reason: 'runs code', arguments: { code } }
    });
  });
});

describe('tool calls and approvals', () => {
  it('shows the call waiting for approval with its input', () => {
    const state = run([welcome(), ...pythonCall]);
    expect(tool(state, 'c1')).toMatchObject({
      name: 'python',
      state: 'pending_approval',
      arguments: { code },
      approval: { reason: 'runs code in your kernel', outcome: null, sent: null }
    });
  });

  it('settles the card when the call leaves pending_approval, edited code shown as run', () => {
    const typed = 'x = 123\nprint(x)';
    const { local } = approvalOperation('c1', { code }, 'approve', '', typed);
    const state = run([
      welcome(),
      ...pythonCall,
      { type: 'decided', toolCallId: 'c1', local },
      event('tool_state_change', 8, { tool_call_id: 'c1', name: 'python', state: 'approved' }),
      event('tool_state_change', 9, { tool_call_id: 'c1', name: 'python', state: 'running' }),
      event('tool_log', 10, { tool_call_id: 'c1', name: 'python', line: '123' }),
      event('tool_output', 11, { tool_call_id: 'c1', name: 'python', output: '123', ok: true }),
      event('tool_state_change', 12, { tool_call_id: 'c1', name: 'python', state: 'done' })
    ]);
    const card = tool(state, 'c1');
    expect(card.state).toBe('done');
    expect(card.approval).toMatchObject({
      outcome: 'approved',
      sent: { edited: true, code: typed }
    });
    expect(card.arguments).toEqual({ code: typed });
    expect(card.log).toEqual(['123']);
    expect(card.output).toBe('123');
  });

  it('settles a card decided elsewhere (in the cell) without a local decision', () => {
    const state = run([
      welcome(),
      ...pythonCall,
      event('tool_state_change', 8, { tool_call_id: 'c1', name: 'python', state: 'rejected' })
    ]);
    expect(tool(state, 'c1').approval).toMatchObject({ outcome: 'rejected', sent: null });
  });

  it('keeps the first outcome: a later decision does not unsettle the card', () => {
    const settled = run([
      welcome(),
      ...pythonCall,
      event('tool_state_change', 8, { tool_call_id: 'c1', name: 'python', state: 'approved' })
    ]);
    const { local } = approvalOperation('c1', { code }, 'reject', 'late', null);
    const after = reduce(settled, { type: 'decided', toolCallId: 'c1', local });
    expect(after).toBe(settled);
  });

  it('cancels what still waits or runs when the turn is interrupted', () => {
    const state = run([
      welcome(),
      event('processing', 4, { user_message: 'go' }),
      ...pythonCall,
      event('interrupted', 8, { partial_text: '' })
    ]);
    expect(tool(state, 'c1')).toMatchObject({
      state: 'cancelled',
      approval: { outcome: 'cancelled' }
    });
    expect(state.busy).toBe(false);
    expect(state.items.at(-1)).toMatchObject({ kind: 'notice', level: 'warning' });
  });

  it('makes a card for a call first seen mid-way (a view that joined late)', () => {
    const state = run([
      welcome(),
      event('tool_log', 3, { tool_call_id: 'c7', name: 'bash', line: 'building' })
    ]);
    expect(tool(state, 'c7')).toMatchObject({ name: 'bash', log: ['building'], state: 'running' });
  });

  it('keeps the last LOG_KEEP log lines and counts the others', () => {
    const lines = Array.from({ length: LOG_KEEP + 5 }, (_, i) =>
      event('tool_log', 10 + i, { tool_call_id: 'c1', name: 'python', line: `step ${i}` })
    );
    const card = tool(run([welcome(), pythonCall[0], ...lines]), 'c1');
    expect(card.log).toHaveLength(LOG_KEEP);
    expect(card.log[0]).toBe('step 5');
    expect(card.hiddenLog).toBe(5);
  });

  it('updates a display by its display_id and clears on request', () => {
    const display = (seq: number, text: string, extra: JSONObject = {}) =>
      event('tool_display', seq, {
        tool_call_id: 'c1',
        name: 'python',
        data: { 'text/plain': text },
        ...extra
      });
    const state = run([
      welcome(),
      pythonCall[0],
      display(10, 'epoch 1', { display_id: 'bar' }),
      display(11, 'a plot'),
      display(12, 'epoch 2', { display_id: 'bar', update: true })
    ]);
    expect(tool(state, 'c1').displays.map(d => d.data['text/plain'])).toEqual([
      'epoch 2',
      'a plot'
    ]);
    const cleared = reduce(state, display(13, 'fresh', { clear: true }));
    expect(tool(cleared, 'c1').displays.map(d => d.data['text/plain'])).toEqual(['fresh']);
  });
});

describe('notices and settings', () => {
  it('words an error with its fix and remedies', () => {
    const state = run([
      welcome(),
      event('error', 3, {
        message: 'Rate limited',
        fix: 'Wait a minute.',
        remedies: ['compact', 'model']
      })
    ]);
    expect(state.items).toEqual([
      {
        kind: 'notice',
        id: 'e3',
        level: 'error',
        message: 'Rate limited',
        fix: 'Wait a minute. Try: %intern compact, pick another model.',
        link: null
      }
    ]);
  });

  it('removes the undone turn from the view', () => {
    const state = run([
      welcome(),
      event('processing', 1, { user_message: 'first' }),
      event('assistant_message', 2, { content: 'one' }),
      event('processing', 3, { user_message: 'second' }),
      event('assistant_message', 4, { content: 'two' }),
      event('undo_complete', 5, { removed_messages: 2, user_message: 'second' })
    ]);
    expect(state.items.map(i => (i.kind === 'notice' ? 'notice' : i.id))).toEqual([
      'e1',
      'e2',
      'notice'
    ]);
  });

  it('follows the model, yolo, usage and plan', () => {
    const state = run([
      welcome(),
      event('settings_changed', 1, { model: 'scripted/b.json', yolo: true }),
      event('usage_update', 2, { prompt_tokens: 1200, completion_tokens: 34, spend_usd: 1.5 }),
      event('plan_update', 3, { todos: [{ content: 'load data', status: 'in_progress' }] })
    ]);
    expect(state).toMatchObject({
      model: 'scripted/b.json',
      yolo: true,
      usage: { prompt_tokens: 1200, completion_tokens: 34, spend_usd: 1.5 },
      plan: [{ content: 'load data', status: 'in_progress' }]
    });
  });

  it('gives local notices their own ids', () => {
    const state = run([
      welcome(),
      { type: 'kernel_error', message: 'the session is busy' },
      {
        type: 'export_result',
        result: {
          kind: 'export_result',
          ok: true,
          url: 'https://hub/d',
          private: true,
          message: null
        }
      },
      {
        type: 'export_result',
        result: { kind: 'export_result', ok: false, url: null, private: null, message: 'no token' }
      }
    ]);
    expect(state.items.map(i => i.id)).toEqual(['local-0', 'local-1', 'local-2']);
    expect(state.items.map(i => (i.kind === 'notice' ? [i.level, i.message, i.link] : []))).toEqual(
      [
        ['error', 'the session is busy', null],
        ['info', 'Exported the session (private).', 'https://hub/d'],
        ['error', 'Export failed: no token', null]
      ]
    );
  });
});
