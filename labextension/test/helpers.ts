/** Builders of kernel messages in their wire form (what `to_dict()` sends), for the tests. */
import { JSONObject } from '../src/protocol';

export const SESSION = 'session-a';

/** An event's JSON as the kernel's session stamps it. */
export function wireEvent(
  type: string,
  seq: number,
  payload: JSONObject = {},
  session = SESSION
): JSONObject {
  return { type, seq, session_id: session, timestamp: 1700000000 + seq, ...payload };
}

export function wireWelcome(replay: JSONObject[] = [], extra: JSONObject = {}): JSONObject {
  return {
    kind: 'welcome',
    v: 1,
    session: 'default',
    session_id: SESSION,
    model: 'scripted/a.json',
    models: ['scripted/a.json', 'anthropic/claude-sonnet-4-5'],
    yolo: false,
    busy: false,
    usage: { prompt_tokens: 10, completion_tokens: 5, spend_usd: 0 },
    replay,
    ...extra
  };
}
