/**
 * Reads and validates what the kernel sends on the comm, and builds what the panel sends.
 *
 * Parsing never throws: a message that does not follow PROTOCOL.md comes back as
 * `{ ok: false, error }` naming the field at fault, so the caller can log it and move on.
 * Missing payload fields take the kernel's defaults; a field of the wrong type is an error.
 */
import type { JSONValue } from '@lumino/coreutils';

import {
  AgentEvent,
  EventBase,
  EventOf,
  EventType,
  FrontendMessage,
  JSONObject,
  KernelMessage,
  NotebookAction,
  Operation,
  PROTOCOL_VERSION,
  TOOL_STATES,
  Usage
} from './protocol';

export type Parsed<T> = { ok: true; value: T; warnings: string[] } | { ok: false; error: string };

class CodecError extends Error {}

type Kind =
  | 'string'
  | 'number'
  | 'int'
  | 'boolean'
  | 'object'
  | 'stringMap'
  | 'stringArray'
  | 'todos'
  | 'string?'
  | 'number?'
  | 'toolState';

/** A field's kind, or its kind and the kernel's default when that is not the kind's zero. */
type FieldSpec = Kind | [Kind, JSONValue];

type PayloadKeys<T extends EventType> = Exclude<keyof EventOf<T>, keyof EventBase | 'type'>;

/** Payload fields of each event type; the type checker keeps it in step with protocol.ts. */
const EVENT_FIELDS: {
  [T in EventType]: { [K in PayloadKeys<T>]-?: FieldSpec };
} = {
  session_started: { model: 'string' },
  processing: { user_message: 'string' },
  ready: {},
  assistant_chunk: { content: 'string' },
  assistant_message: { content: 'string' },
  assistant_stream_end: {},
  tool_call: { tool_call_id: 'string', name: 'string', arguments: 'object' },
  tool_output: {
    tool_call_id: 'string',
    name: 'string',
    output: 'string',
    ok: ['boolean', true]
  },
  tool_log: { tool_call_id: 'string', name: 'string', line: 'string' },
  tool_display: {
    tool_call_id: 'string',
    name: 'string',
    data: 'object',
    metadata: 'object',
    display_id: 'string?',
    update: 'boolean',
    clear: 'boolean'
  },
  tool_state_change: {
    tool_call_id: 'string',
    name: 'string',
    state: ['toolState', 'running']
  },
  approval_required: {
    tool_call_id: 'string',
    name: 'string',
    arguments: 'object',
    reason: 'string',
    details: 'stringMap',
    cost_usd: 'number?'
  },
  turn_complete: { stop_reason: ['string', 'done'] },
  error: {
    message: 'string',
    kind: ['string', 'error'],
    fix: 'string',
    remedies: 'stringArray'
  },
  interrupted: { reason: ['string', 'user'], partial_text: 'string' },
  compacted: { old_tokens: 'int', new_tokens: 'int', removed_messages: 'int' },
  undo_complete: {
    removed_messages: 'int',
    user_message: 'string',
    reason: ['string', 'user']
  },
  shutdown: {},
  plan_update: { todos: 'todos' },
  guard_note: { guard: 'string', text: 'string' },
  resumed: { restored_messages: 'int', notes: 'stringArray' },
  settings_changed: { model: 'string', yolo: 'boolean' },
  usage_update: {
    prompt_tokens: 'int',
    completion_tokens: 'int',
    spend_usd: 'number'
  },
  notice: { message: 'string', level: ['string', 'info'], source: 'string' }
};

const ZERO: { [K in Kind]: () => JSONValue } = {
  string: () => '',
  number: () => 0,
  int: () => 0,
  boolean: () => false,
  object: () => ({}),
  stringMap: () => ({}),
  stringArray: () => [],
  todos: () => [],
  'string?': () => null,
  'number?': () => null,
  toolState: () => 'running'
};

/** A JSON object as read off the wire: any key may be missing. */
export type Raw = { [key: string]: unknown };

export function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  // JSON.stringify gives undefined for undefined and functions (its lib type says string).
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? String(value) : text.slice(0, 80);
}

function check(kind: Kind, value: unknown, where: string): JSONValue {
  const fail = (expected: string): never => {
    throw new CodecError(`${where}: expected ${expected}, got ${show(value)}`);
  };
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? value : fail('a string');
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : fail('a number');
    case 'int':
      return Number.isInteger(value) ? (value as number) : fail('an integer');
    case 'boolean':
      return typeof value === 'boolean' ? value : fail('true or false');
    // Objects come from parsed JSON: their values are JSON values.
    case 'object':
      return isObject(value) ? (value as JSONObject) : fail('an object');
    case 'stringMap':
      return isObject(value) && Object.values(value).every(v => typeof v === 'string')
        ? (value as JSONObject)
        : fail('an object of strings');
    case 'stringArray':
      return Array.isArray(value) && value.every(v => typeof v === 'string')
        ? value
        : fail('a list of strings');
    case 'todos':
      if (!Array.isArray(value)) {
        return fail('a list of todos');
      }
      return value.map((todo, i) => {
        if (!isObject(todo)) {
          throw new CodecError(`${where}[${i}]: expected an object`);
        }
        return {
          content: typeof todo.content === 'string' ? todo.content : '',
          status: typeof todo.status === 'string' ? todo.status : 'pending'
        };
      });
    case 'string?':
      return value === null || typeof value === 'string' ? value : fail('a string or null');
    case 'number?':
      return value === null || (typeof value === 'number' && Number.isFinite(value))
        ? value
        : fail('a number or null');
    case 'toolState':
      return (TOOL_STATES as readonly unknown[]).includes(value)
        ? (value as string)
        : fail(`one of ${TOOL_STATES.join(', ')}`);
  }
}

function readFields(raw: Raw, fields: { [name: string]: FieldSpec }, where: string): JSONObject {
  const out: JSONObject = {};
  for (const [name, spec] of Object.entries(fields)) {
    const [kind, fallback] = typeof spec === 'string' ? [spec, undefined] : spec;
    const value = raw[name];
    if (value === undefined) {
      out[name] = fallback !== undefined ? fallback : ZERO[kind]();
    } else {
      out[name] = check(kind, value, `${where}.${name}`);
    }
  }
  return out;
}

function checkVersion(raw: Raw, where: string): void {
  const version = raw.v ?? PROTOCOL_VERSION;
  if (version !== PROTOCOL_VERSION) {
    throw new CodecError(
      `${where}: protocol version ${show(version)}, this side speaks ${PROTOCOL_VERSION}`
    );
  }
}

function isEventType(type: unknown): type is EventType {
  return typeof type === 'string' && Object.hasOwn(EVENT_FIELDS, type);
}

function readEvent(raw: unknown): AgentEvent {
  if (!isObject(raw)) {
    throw new CodecError(`an event must be an object, got ${show(raw)}`);
  }
  const type = raw.type;
  if (!isEventType(type)) {
    throw new CodecError(`unknown event type ${show(type)}`);
  }
  const seq = check('int', raw.seq, `${type}.seq`) as number;
  const base: EventBase = {
    seq,
    session_id:
      raw.session_id === undefined
        ? ''
        : (check('string', raw.session_id, `${type}.session_id`) as string),
    timestamp:
      raw.timestamp === undefined
        ? 0
        : (check('number', raw.timestamp, `${type}.timestamp`) as number)
  };
  const payload = readFields(raw, EVENT_FIELDS[type], type);
  // The table above has exactly the payload fields of `type`, checked by kind.
  return { ...payload, ...base, type } as AgentEvent;
}

function attempt<T>(read: () => T, warnings: string[] = []): Parsed<T> {
  try {
    return { ok: true, value: read(), warnings };
  } catch (error) {
    if (error instanceof CodecError) {
      return { ok: false, error: error.message };
    }
    throw error;
  }
}

/** One event (an event's `to_dict()` from the kernel). */
export function parseEvent(raw: unknown): Parsed<AgentEvent> {
  return attempt(() => readEvent(raw));
}

function readUsage(raw: unknown): Usage {
  if (raw === undefined) {
    return { prompt_tokens: 0, completion_tokens: 0, spend_usd: 0 };
  }
  if (!isObject(raw)) {
    throw new CodecError(`welcome.usage: expected an object, got ${show(raw)}`);
  }
  return readFields(
    raw,
    { prompt_tokens: 'int', completion_tokens: 'int', spend_usd: 'number' },
    'welcome.usage'
  ) as unknown as Usage;
}

const NOTEBOOK_ACTIONS: readonly NotebookAction[] = ['read', 'edit', 'run'];

function readKernelMessage(raw: unknown, warnings: string[]): KernelMessage {
  if (!isObject(raw)) {
    throw new CodecError(`a message must be an object, got ${show(raw)}`);
  }
  const kind = raw.kind;
  checkVersion(raw, typeof kind === 'string' ? kind : 'message');
  switch (kind) {
    case 'welcome': {
      const fields = readFields(
        raw,
        {
          session: 'string',
          session_id: 'string',
          model: 'string',
          models: 'stringArray',
          yolo: 'boolean',
          busy: 'boolean'
        },
        'welcome'
      );
      const replayRaw = raw.replay ?? [];
      if (!Array.isArray(replayRaw)) {
        throw new CodecError(`welcome.replay: expected a list of events`);
      }
      const replay: AgentEvent[] = [];
      replayRaw.forEach((item, i) => {
        const event = parseEvent(item);
        if (event.ok) {
          replay.push(event.value);
        } else {
          warnings.push(`welcome.replay[${i}] ignored: ${event.error}`);
        }
      });
      return {
        kind,
        session: fields.session as string,
        session_id: fields.session_id as string,
        model: fields.model as string,
        models: fields.models as string[],
        yolo: fields.yolo as boolean,
        busy: fields.busy as boolean,
        usage: readUsage(raw.usage),
        replay
      };
    }
    case 'event':
      return { kind, event: readEvent(raw.event) };
    case 'error':
      return {
        kind,
        message: check('string', raw.message, 'error.message') as string
      };
    case 'export_result': {
      const fields = readFields(raw, { url: 'string?', message: 'string?' }, 'export_result');
      const priv = raw.private ?? null;
      if (priv !== null && typeof priv !== 'boolean') {
        throw new CodecError(`export_result.private: expected true or false`);
      }
      return {
        kind,
        ok: check('boolean', raw.ok, 'export_result.ok') as boolean,
        url: fields.url as string | null,
        private: priv,
        message: fields.message as string | null
      };
    }
    case 'notebook_request': {
      const action = raw.action;
      if (!NOTEBOOK_ACTIONS.includes(action as NotebookAction)) {
        throw new CodecError(
          `notebook_request.action: expected read, edit or run, got ${show(action)}`
        );
      }
      return {
        kind,
        request_id: check('string', raw.request_id, 'notebook_request.request_id') as string,
        action: action as NotebookAction,
        args:
          raw.args === undefined
            ? {}
            : (check('object', raw.args, 'notebook_request.args') as JSONObject)
      };
    }
    default:
      throw new CodecError(`unknown message kind ${show(kind)}`);
  }
}

/** One message from the kernel (a comm message's `data`). */
export function parseKernelMessage(raw: unknown): Parsed<KernelMessage> {
  const warnings: string[] = [];
  return attempt(() => readKernelMessage(raw, warnings), warnings);
}

// ---------------------------------------------------------------- outgoing

export function helloMessage(session?: string): FrontendMessage {
  return session === undefined
    ? { kind: 'hello', v: PROTOCOL_VERSION }
    : { kind: 'hello', v: PROTOCOL_VERSION, session };
}

export function opMessage(op: Operation): FrontendMessage {
  return { kind: 'op', v: PROTOCOL_VERSION, op };
}

export function exportMessage(): FrontendMessage {
  return { kind: 'export', v: PROTOCOL_VERSION };
}

export type NotebookOutcome = { ok: true; result: JSONObject } | { ok: false; error: string };

export function notebookReply(requestId: string, outcome: NotebookOutcome): FrontendMessage {
  return outcome.ok
    ? {
        kind: 'notebook_reply',
        v: PROTOCOL_VERSION,
        request_id: requestId,
        ok: true,
        result: outcome.result
      }
    : {
        kind: 'notebook_reply',
        v: PROTOCOL_VERSION,
        request_id: requestId,
        ok: false,
        error: outcome.error
      };
}

export function userInput(text: string): Operation {
  return { op: 'user_input', text, options: {} };
}

export function setModel(model: string): Operation {
  return { op: 'set_model', model };
}
