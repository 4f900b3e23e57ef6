import { describe, expect, it } from 'vitest';

import {
  exportMessage,
  helloMessage,
  notebookReply,
  opMessage,
  parseEvent,
  parseKernelMessage,
  setModel,
  userInput
} from '../src/codec';
import { SESSION, wireEvent, wireWelcome } from './helpers';

function parsed(raw: unknown) {
  const result = parseKernelMessage(raw);
  if (!result.ok) {
    throw new Error(`expected a valid message, got: ${result.error}`);
  }
  return result;
}

function refused(raw: unknown): string {
  const result = parseKernelMessage(raw);
  if (result.ok) {
    throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
  }
  return result.error;
}

/** One event of every type, with the payload fields the kernel's `to_dict()` sends. */
const EVERY_EVENT = [
  wireEvent('session_started', 1, { model: 'm', cwd: '/w', version: '0.1', system_prompt: 's' }),
  wireEvent('processing', 2, { user_message: 'hi' }),
  wireEvent('assistant_chunk', 3, { content: 'He' }),
  wireEvent('assistant_stream_end', 4),
  wireEvent('usage_update', 5, { prompt_tokens: 3, completion_tokens: 2, spend_usd: 0.5 }),
  wireEvent('assistant_message', 6, {
    content: 'Hello',
    tool_calls: [{ id: 'c1' }],
    finish_reason: 'tool_calls',
    prompt_tokens: 3,
    completion_tokens: 2
  }),
  wireEvent('tool_call', 7, { tool_call_id: 'c1', name: 'python', arguments: { code: 'x=1' } }),
  wireEvent('tool_state_change', 8, {
    tool_call_id: 'c1',
    name: 'python',
    state: 'pending_approval'
  }),
  wireEvent('approval_required', 9, {
    tool_call_id: 'c1',
    name: 'python',
    arguments: { code: 'x=1' },
    reason: 'runs code',
    details: { hardware: 'cpu' },
    cost_usd: null
  }),
  wireEvent('tool_log', 10, { tool_call_id: 'c1', name: 'python', line: 'step 1', echoed: true }),
  wireEvent('tool_display', 11, {
    tool_call_id: 'c1',
    name: 'python',
    data: { 'text/plain': '1' },
    metadata: {},
    display_id: null,
    update: false,
    clear: false,
    echoed: false
  }),
  wireEvent('tool_output', 12, {
    tool_call_id: 'c1',
    name: 'python',
    output: 'ok',
    ok: true,
    structured: { any: ['thing'] }
  }),
  wireEvent('plan_update', 13, { todos: [{ content: 'a', status: 'completed' }] }),
  wireEvent('guard_note', 14, { guard: 'loop', text: 't' }),
  wireEvent('turn_complete', 15, {
    final_text: 'done',
    iterations: 2,
    prompt_tokens: 1,
    completion_tokens: 1,
    stop_reason: 'done'
  }),
  wireEvent('ready', 16),
  wireEvent('error', 17, { message: 'bad', kind: 'auth', fix: 'log in', remedies: ['model'] }),
  wireEvent('interrupted', 18, { reason: 'user', partial_text: 'Hel' }),
  wireEvent('compacted', 19, {
    old_tokens: 9,
    new_tokens: 3,
    removed_messages: 4,
    start: 1,
    summary: 's'
  }),
  wireEvent('undo_complete', 20, { removed_messages: 2, user_message: 'hi', reason: 'user' }),
  wireEvent('resumed', 21, { restored_messages: 3, notes: ['n'], messages: [] }),
  wireEvent('settings_changed', 22, { model: 'm2', yolo: true }),
  wireEvent('notice', 23, { message: 'mcp up', level: 'info', source: 'mcp' }),
  wireEvent('shutdown', 24)
];

describe('parseKernelMessage', () => {
  it('reads every event type the kernel sends', () => {
    for (const raw of EVERY_EVENT) {
      const result = parsed({ kind: 'event', v: 1, event: raw });
      expect(result.value).toMatchObject({
        kind: 'event',
        event: { type: raw.type, seq: raw.seq }
      });
      expect(result.warnings).toEqual([]);
    }
  });

  it('keeps the payload and stamps of an event', () => {
    const { value } = parsed({ kind: 'event', v: 1, event: EVERY_EVENT[8] });
    expect(value).toEqual({
      kind: 'event',
      event: {
        type: 'approval_required',
        seq: 9,
        session_id: SESSION,
        timestamp: 1700000009,
        tool_call_id: 'c1',
        name: 'python',
        arguments: { code: 'x=1' },
        reason: 'runs code',
        details: { hardware: 'cpu' },
        cost_usd: null
      }
    });
  });

  it("fills missing payload fields with the kernel's defaults", () => {
    const output = parseEvent({ type: 'tool_output', seq: 1 });
    expect(output).toMatchObject({ ok: true, value: { ok: true, output: '', tool_call_id: '' } });
    const done = parseEvent({ type: 'turn_complete', seq: 2 });
    expect(done).toMatchObject({ ok: true, value: { stop_reason: 'done', session_id: '' } });
    const state = parseEvent({ type: 'tool_state_change', seq: 3, tool_call_id: 'c' });
    expect(state).toMatchObject({ ok: true, value: { state: 'running' } });
  });

  it('reads a welcome and its replay', () => {
    const { value, warnings } = parsed(
      wireWelcome([EVERY_EVENT[1], EVERY_EVENT[2]], { busy: true })
    );
    expect(warnings).toEqual([]);
    expect(value).toMatchObject({
      kind: 'welcome',
      session_id: SESSION,
      models: ['scripted/a.json', 'anthropic/claude-sonnet-4-5'],
      busy: true,
      usage: { prompt_tokens: 10, completion_tokens: 5, spend_usd: 0 }
    });
    expect(value.kind === 'welcome' && value.replay.map(e => e.type)).toEqual([
      'processing',
      'assistant_chunk'
    ]);
  });

  it('drops a malformed replay entry with a warning and keeps the rest', () => {
    const bad = { type: 'assistant_chunk', seq: 'three', content: 'x' };
    const { value, warnings } = parsed(wireWelcome([EVERY_EVENT[1], bad, EVERY_EVENT[2]]));
    expect(value.kind === 'welcome' && value.replay.map(e => e.seq)).toEqual([2, 3]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('replay[1]');
    expect(warnings[0]).toContain('assistant_chunk.seq');
  });

  it('reads errors, export results and notebook requests', () => {
    expect(parsed({ kind: 'error', v: 1, message: 'busy' }).value).toEqual({
      kind: 'error',
      message: 'busy'
    });
    expect(
      parsed({ kind: 'export_result', v: 1, ok: true, url: 'https://h/d', private: true }).value
    ).toEqual({
      kind: 'export_result',
      ok: true,
      url: 'https://h/d',
      private: true,
      message: null
    });
    expect(
      parsed({
        kind: 'notebook_request',
        v: 1,
        request_id: 'r1',
        action: 'read',
        args: { cells: [0] }
      }).value
    ).toEqual({ kind: 'notebook_request', request_id: 'r1', action: 'read', args: { cells: [0] } });
  });

  it('tolerates fields it does not know (a newer kernel may add some)', () => {
    const raw = { ...EVERY_EVENT[2], future_field: 1 };
    expect(parsed({ kind: 'event', v: 1, event: raw, extra: true }).value).toMatchObject({
      event: { type: 'assistant_chunk', content: 'He' }
    });
  });

  it.each([
    ['a string', 'hello', 'must be an object'],
    ['null', null, 'must be an object'],
    ['a list', [1], 'must be an object'],
    ['no kind', { v: 1 }, 'unknown message kind'],
    ['an unknown kind', { kind: 'telepathy', v: 1 }, 'unknown message kind'],
    ['another protocol version', { kind: 'error', v: 2, message: 'x' }, 'protocol version 2'],
    ['an error without its message', { kind: 'error', v: 1 }, 'error.message'],
    ['an event that is not an object', { kind: 'event', v: 1, event: 'x' }, 'must be an object'],
    [
      'an unknown event type',
      { kind: 'event', v: 1, event: { type: 'mind_read', seq: 1 } },
      'unknown event type'
    ],
    [
      'an event without seq',
      { kind: 'event', v: 1, event: { type: 'ready' } },
      'ready.seq: expected an integer'
    ],
    [
      'a fractional seq',
      { kind: 'event', v: 1, event: { type: 'ready', seq: 1.5 } },
      'ready.seq: expected an integer'
    ],
    [
      'a chunk whose content is a number',
      { kind: 'event', v: 1, event: { type: 'assistant_chunk', seq: 1, content: 5 } },
      'assistant_chunk.content: expected a string'
    ],
    [
      'an unknown tool state',
      {
        kind: 'event',
        v: 1,
        event: { type: 'tool_state_change', seq: 1, tool_call_id: 'c', state: 'exploded' }
      },
      'tool_state_change.state: expected one of'
    ],
    [
      'details that are not all text',
      {
        kind: 'event',
        v: 1,
        event: { type: 'approval_required', seq: 1, details: { gpu: 4 } }
      },
      'approval_required.details: expected an object of strings'
    ],
    [
      'a cost given as text',
      {
        kind: 'event',
        v: 1,
        event: { type: 'approval_required', seq: 1, cost_usd: '5' }
      },
      'approval_required.cost_usd'
    ],
    [
      'arguments that are a list',
      { kind: 'event', v: 1, event: { type: 'tool_call', seq: 1, arguments: [] } },
      'tool_call.arguments: expected an object'
    ],
    [
      'a welcome whose replay is not a list',
      wireWelcome(undefined, { replay: {} }),
      'welcome.replay'
    ],
    ['a welcome whose busy is text', wireWelcome([], { busy: 'no' }), 'welcome.busy'],
    [
      'a notebook request for an unknown action',
      { kind: 'notebook_request', v: 1, request_id: 'r', action: 'format_disk', args: {} },
      'notebook_request.action'
    ],
    [
      'a notebook request without an id',
      { kind: 'notebook_request', v: 1, action: 'read', args: {} },
      'notebook_request.request_id'
    ]
  ])('refuses %s, saying why', (_, raw, why) => {
    expect(refused(raw)).toContain(why);
  });
});

describe('outgoing messages', () => {
  it('say hello, with or without a session name', () => {
    expect(helloMessage()).toEqual({ kind: 'hello', v: 1 });
    expect(helloMessage('work')).toEqual({ kind: 'hello', v: 1, session: 'work' });
  });

  it('wrap operations as the kernel reads them', () => {
    expect(opMessage(userInput('train it'))).toEqual({
      kind: 'op',
      v: 1,
      op: { op: 'user_input', text: 'train it', options: {} }
    });
    expect(opMessage(setModel('scripted/b.json'))).toEqual({
      kind: 'op',
      v: 1,
      op: { op: 'set_model', model: 'scripted/b.json' }
    });
    expect(opMessage({ op: 'interrupt' })).toEqual({ kind: 'op', v: 1, op: { op: 'interrupt' } });
    expect(exportMessage()).toEqual({ kind: 'export', v: 1 });
  });

  it('answer notebook requests with a result or an error', () => {
    expect(notebookReply('r1', { ok: true, result: { cells: 3 } })).toEqual({
      kind: 'notebook_reply',
      v: 1,
      request_id: 'r1',
      ok: true,
      result: { cells: 3 }
    });
    expect(notebookReply('r2', { ok: false, error: 'no cell 9' })).toEqual({
      kind: 'notebook_reply',
      v: 1,
      request_id: 'r2',
      ok: false,
      error: 'no cell 9'
    });
  });

  it('survive a JSON round trip unchanged', () => {
    const message = opMessage({
      op: 'exec_approval',
      tool_call_id: 'c1',
      approved: false,
      feedback: 'no',
      edited_arguments: null,
      scope: 'call'
    });
    expect(JSON.parse(JSON.stringify(message))).toEqual(message);
  });
});
