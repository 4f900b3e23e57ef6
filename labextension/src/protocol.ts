/**
 * The `ml_intern` comm's vocabulary (see PROTOCOL.md): the kernel's operations and events
 * (ml_intern_jupyter/protocol/) wrapped in messages with a `kind` and `"v": 1`.
 */

export const PROTOCOL_VERSION = 1;
export const COMM_TARGET = 'ml_intern';

import type { JSONObject } from '@lumino/coreutils';

export type { JSONObject };

export const TOOL_STATES = [
  'pending_approval',
  'approved',
  'running',
  'done',
  'failed',
  'rejected',
  'cancelled'
] as const;
export type ToolState = (typeof TOOL_STATES)[number];

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  spend_usd: number;
}

export interface Todo {
  content: string;
  status: string;
}

/** Fields every event carries (stamped by the kernel's session). */
export interface EventBase {
  seq: number;
  session_id: string;
  timestamp: number;
}

export type AgentEvent = EventBase &
  (
    | { type: 'session_started'; model: string }
    | { type: 'processing'; user_message: string }
    | { type: 'ready' }
    | { type: 'assistant_chunk'; content: string }
    | { type: 'assistant_message'; content: string }
    | { type: 'assistant_stream_end' }
    | {
        type: 'tool_call';
        tool_call_id: string;
        name: string;
        arguments: JSONObject;
      }
    | {
        type: 'tool_output';
        tool_call_id: string;
        name: string;
        output: string;
        ok: boolean;
      }
    | { type: 'tool_log'; tool_call_id: string; name: string; line: string }
    | {
        type: 'tool_display';
        tool_call_id: string;
        name: string;
        data: JSONObject;
        metadata: JSONObject;
        display_id: string | null;
        update: boolean;
        clear: boolean;
      }
    | {
        type: 'tool_state_change';
        tool_call_id: string;
        name: string;
        state: ToolState;
      }
    | {
        type: 'approval_required';
        tool_call_id: string;
        name: string;
        arguments: JSONObject;
        reason: string;
        details: { [key: string]: string };
        cost_usd: number | null;
      }
    | { type: 'turn_complete'; stop_reason: string }
    | {
        type: 'error';
        message: string;
        kind: string;
        fix: string;
        remedies: string[];
      }
    | { type: 'interrupted'; reason: string; partial_text: string }
    | {
        type: 'compacted';
        old_tokens: number;
        new_tokens: number;
        removed_messages: number;
      }
    | {
        type: 'undo_complete';
        removed_messages: number;
        user_message: string;
        reason: string;
      }
    | { type: 'shutdown' }
    | { type: 'plan_update'; todos: Todo[] }
    | { type: 'guard_note'; guard: string; text: string }
    | { type: 'resumed'; restored_messages: number; notes: string[] }
    | { type: 'settings_changed'; model: string; yolo: boolean }
    | ({ type: 'usage_update' } & Usage)
    | { type: 'notice'; message: string; level: string; source: string }
  );

export type EventType = AgentEvent['type'];
export type EventOf<T extends EventType> = Extract<AgentEvent, { type: T }>;

// ---------------------------------------------------------------- kernel -> frontend

export interface WelcomeMessage {
  kind: 'welcome';
  session: string;
  session_id: string;
  model: string;
  models: string[];
  yolo: boolean;
  busy: boolean;
  usage: Usage;
  replay: AgentEvent[];
}

export interface EventMessage {
  kind: 'event';
  event: AgentEvent;
}

export interface ErrorMessage {
  kind: 'error';
  message: string;
}

export interface ExportResultMessage {
  kind: 'export_result';
  ok: boolean;
  url: string | null;
  private: boolean | null;
  message: string | null;
}

export type NotebookAction = 'read' | 'edit' | 'run';

export interface NotebookRequestMessage {
  kind: 'notebook_request';
  request_id: string;
  action: NotebookAction;
  args: JSONObject;
}

export type KernelMessage =
  WelcomeMessage | EventMessage | ErrorMessage | ExportResultMessage | NotebookRequestMessage;

// ---------------------------------------------------------------- frontend -> kernel

export type ApprovalScope = 'call' | 'session';

export type Operation =
  | { op: 'user_input'; text: string; options: JSONObject }
  | {
      op: 'exec_approval';
      tool_call_id: string;
      approved: boolean;
      feedback: string | null;
      edited_arguments: JSONObject | null;
      scope: ApprovalScope;
    }
  | { op: 'interrupt' }
  | { op: 'new' }
  | { op: 'compact' }
  | { op: 'undo' }
  | { op: 'set_model'; model: string }
  | { op: 'set_yolo'; enabled: boolean };

export type FrontendMessage =
  | { kind: 'hello'; v: number }
  | { kind: 'hello'; v: number; session: string }
  | { kind: 'op'; v: number; op: Operation }
  | { kind: 'export'; v: number }
  | {
      kind: 'notebook_reply';
      v: number;
      request_id: string;
      ok: true;
      result: JSONObject;
    }
  | {
      kind: 'notebook_reply';
      v: number;
      request_id: string;
      ok: false;
      error: string;
    };
