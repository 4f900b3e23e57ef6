import { Signal } from '@lumino/signaling';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ChatClient, KernelPort } from '../src/client';
import { NotebookOutcome } from '../src/codec';
import { NotebookRequestMessage } from '../src/protocol';
import { wireEvent, wireWelcome } from './helpers';

const done = () => ({ done: Promise.resolve() });

/** The kernel's end of one comm: records what the panel sent, delivers what the kernel says. */
class FakeComm {
  commId = `comm-${Math.random()}`;
  isDisposed = false;
  opened: unknown[] = [];
  sent: unknown[] = [];
  onMsg: (msg: { content: { data: unknown } }) => void = () => undefined;
  onClose: (msg: unknown) => void = () => undefined;

  open(data: unknown) {
    this.opened.push(data);
    return done();
  }
  send(data: unknown) {
    this.sent.push(data);
    return done();
  }
  close() {
    this.isDisposed = true;
    this.onClose({});
    return done();
  }
  /** A message from the kernel. */
  say(data: unknown): void {
    this.onMsg({ content: { data } });
  }
  /** The kernel refuses the comm (no such target) or closes it. */
  shut(): void {
    this.isDisposed = true;
    this.onClose({});
  }
}

class FakeKernel {
  id = 'kernel-1';
  status = 'idle';
  isDisposed = false;
  disposed = new Signal<this, void>(this);
  statusChanged = new Signal<this, string>(this);
  connectionStatusChanged = new Signal<this, string>(this);
  comms: FakeComm[] = [];
  executed: { code: string; silent?: boolean }[] = [];
  executeReply: { status: string; ename?: string; evalue?: string } = { status: 'ok' };

  createComm(target: string) {
    expect(target).toBe('ml_intern');
    const comm = new FakeComm();
    this.comms.push(comm);
    return comm;
  }
  interrupts = 0;
  interrupt() {
    this.interrupts += 1;
    return Promise.resolve();
  }
  requestExecute(content: { code: string; silent?: boolean }) {
    this.executed.push(content);
    return { done: Promise.resolve({ content: this.executeReply }) };
  }
  setStatus(status: string): void {
    this.status = status;
    this.statusChanged.emit(status);
  }
  get comm(): FakeComm {
    const comm = this.comms.at(-1);
    if (comm === undefined) {
      throw new Error('no comm opened');
    }
    return comm;
  }
}

function makeClient(handler?: (r: NotebookRequestMessage) => Promise<NotebookOutcome>) {
  const kernel = new FakeKernel();
  const requests: NotebookRequestMessage[] = [];
  const client = new ChatClient(
    kernel as unknown as KernelPort,
    handler ??
      (request => {
        requests.push(request);
        return Promise.resolve({ ok: true, result: { cells: 2 } });
      }),
    { helloRetryMs: 100, welcomeTimeoutMs: 400 }
  );
  return { kernel, client, requests };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('ChatClient', () => {
  it('opens the comm with hello and is attached by the welcome', () => {
    const { kernel, client } = makeClient();
    let changes = 0;
    client.changed.connect(() => changes++);
    client.attach();
    expect(kernel.comm.opened).toEqual([{ kind: 'hello', v: 1 }]);
    expect(client.connection.status).toBe('connecting');
    kernel.comm.say(wireWelcome([wireEvent('processing', 1, { user_message: 'hi' })]));
    expect(client.connection.status).toBe('attached');
    expect(client.state.items).toMatchObject([{ kind: 'user', text: 'hi' }]);
    kernel.comm.say({
      kind: 'event',
      v: 1,
      event: wireEvent('assistant_chunk', 2, { content: 'Hey' })
    });
    expect(client.state.items[1]).toMatchObject({ kind: 'assistant', text: 'Hey' });
    expect(changes).toBeGreaterThanOrEqual(3);
  });

  it('logs a malformed message and ignores it', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { kernel, client } = makeClient();
    client.attach();
    kernel.comm.say(wireWelcome());
    const before = client.state;
    kernel.comm.say({ kind: 'event', v: 1, event: { type: 'assistant_chunk', seq: 'x' } });
    kernel.comm.say('not even an object');
    expect(client.state).toBe(before);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0][0])).toContain('assistant_chunk.seq');
    expect(client.connection.status).toBe('attached');
  });

  it('says the extension is not loaded when the kernel refuses the comm, and loads it', async () => {
    const { kernel, client } = makeClient();
    client.attach();
    kernel.comm.shut();
    expect(client.connection).toEqual({
      status: 'not-loaded',
      detail: 'ML Intern is not loaded in this kernel.'
    });
    await client.loadExtension();
    expect(kernel.executed).toEqual([
      {
        code: '%load_ext ml_intern_jupyter',
        silent: true,
        store_history: false,
        allow_stdin: false
      }
    ]);
    expect(kernel.comms).toHaveLength(2);
    kernel.comm.say(wireWelcome());
    expect(client.connection.status).toBe('attached');
  });

  it('reports why loading failed', async () => {
    const { kernel, client } = makeClient();
    kernel.executeReply = {
      status: 'error',
      ename: 'ModuleNotFoundError',
      evalue: "No module named 'x'"
    };
    await client.loadExtension();
    expect(client.connection).toEqual({
      status: 'not-loaded',
      detail: "Loading failed: ModuleNotFoundError: No module named 'x'"
    });
    expect(kernel.comms).toHaveLength(0);
  });

  it('says hello again, then gives up when an idle kernel never welcomes', () => {
    const { kernel, client } = makeClient();
    client.attach();
    vi.advanceTimersByTime(150);
    expect(kernel.comm.sent).toEqual([{ kind: 'hello', v: 1 }]);
    vi.advanceTimersByTime(300);
    expect(client.connection.status).toBe('not-loaded');
    expect(kernel.comm.isDisposed).toBe(true);
  });

  it('keeps waiting while the kernel is busy', () => {
    const { kernel, client } = makeClient();
    client.attach();
    kernel.status = 'busy';
    vi.advanceTimersByTime(500);
    expect(client.connection.status).toBe('waiting');
    kernel.comm.say(wireWelcome());
    expect(client.connection.status).toBe('attached');
  });

  it('answers a notebook request with the notebook handler', async () => {
    const { kernel, client, requests } = makeClient();
    client.attach();
    kernel.comm.say(wireWelcome());
    kernel.comm.say({ kind: 'notebook_request', v: 1, request_id: 'r1', action: 'read', args: {} });
    await vi.runAllTimersAsync();
    expect(requests).toEqual([
      { kind: 'notebook_request', request_id: 'r1', action: 'read', args: {} }
    ]);
    expect(kernel.comm.sent).toContainEqual({
      kind: 'notebook_reply',
      v: 1,
      request_id: 'r1',
      ok: true,
      result: { cells: 2 }
    });
  });

  it('answers a request whose handler failed with ok false and the reason', async () => {
    const { kernel, client } = makeClient(() => Promise.reject(new Error('notebook is gone')));
    client.attach();
    kernel.comm.say(wireWelcome());
    kernel.comm.say({
      kind: 'notebook_request',
      v: 1,
      request_id: 'r2',
      action: 'run',
      args: { index: 1 }
    });
    await vi.runAllTimersAsync();
    expect(kernel.comm.sent).toContainEqual({
      kind: 'notebook_reply',
      v: 1,
      request_id: 'r2',
      ok: false,
      error: 'notebook is gone'
    });
  });

  it('sends a decision with the text as on screen and remembers it', () => {
    const { kernel, client } = makeClient();
    client.attach();
    kernel.comm.say(
      wireWelcome([
        wireEvent('tool_call', 1, {
          tool_call_id: 'c1',
          name: 'python',
          arguments: { code: 'a = 1' }
        }),
        wireEvent('approval_required', 2, {
          tool_call_id: 'c1',
          name: 'python',
          arguments: { code: 'a = 1' }
        })
      ])
    );
    expect(client.decide('c1', 'approve', '', 'a = 2\nprint(a)')).toBe(true);
    expect(kernel.comm.sent.at(-1)).toEqual({
      kind: 'op',
      v: 1,
      op: {
        op: 'exec_approval',
        tool_call_id: 'c1',
        approved: true,
        feedback: null,
        edited_arguments: { code: 'a = 2\nprint(a)' },
        scope: 'call'
      }
    });
    const item = client.state.items[0];
    expect(item.kind === 'tool' && item.tool.approval?.sent).toMatchObject({ edited: true });
    expect(client.decide('nope', 'approve', '', null)).toBe(false);
  });

  it('stops with the interrupt operation, and interrupts the kernel if the turn goes on', () => {
    const { kernel, client } = makeClient();
    client.attach();
    kernel.comm.say(
      wireWelcome([wireEvent('processing', 1, { user_message: 'train' })], { busy: true })
    );
    expect(client.stop()).toBe(true);
    expect(kernel.comm.sent.at(-1)).toEqual({ kind: 'op', v: 1, op: { op: 'interrupt' } });
    vi.advanceTimersByTime(600);
    expect(kernel.interrupts).toBe(1);

    kernel.comm.say({ kind: 'event', v: 1, event: wireEvent('interrupted', 2) });
    client.stop();
    vi.advanceTimersByTime(600);
    expect(kernel.interrupts).toBe(1); // the turn had ended: no kernel interrupt
  });

  it('sends nothing before it is attached', () => {
    const { kernel, client } = makeClient();
    client.attach();
    expect(client.submit({ op: 'interrupt' })).toBe(false);
    expect(kernel.comm.sent).toEqual([]);
  });

  it('resets on a kernel restart and attaches again when the kernel is back', () => {
    const { kernel, client } = makeClient();
    client.attach();
    kernel.comm.say(wireWelcome([wireEvent('processing', 1, { user_message: 'hi' })]));
    kernel.setStatus('restarting');
    expect(client.connection.status).toBe('restarting');
    expect(client.state.items).toEqual([]);
    kernel.setStatus('idle');
    expect(kernel.comms).toHaveLength(2);
    kernel.comm.shut();
    expect(client.connection.detail).toContain('The kernel restarted');
  });

  it('attaches after a cell loaded the extension', () => {
    const { kernel, client } = makeClient();
    client.attach();
    kernel.comm.shut();
    client.noteExecution('import pandas as pd');
    kernel.setStatus('busy');
    kernel.setStatus('idle');
    expect(kernel.comms).toHaveLength(1);
    client.noteExecution('%load_ext ml_intern_jupyter');
    kernel.setStatus('busy');
    kernel.setStatus('idle');
    expect(kernel.comms).toHaveLength(2);
    kernel.comm.say(wireWelcome());
    expect(client.connection.status).toBe('attached');
  });

  it('tries once per wish: a refused comm does not loop on the idle it causes', () => {
    const { kernel, client } = makeClient();
    kernel.status = 'starting';
    client.attachWhenReady();
    expect(kernel.comms).toHaveLength(0);
    kernel.setStatus('idle');
    expect(kernel.comms).toHaveLength(1);
    kernel.comm.shut();
    kernel.setStatus('busy'); // the kernel handled the refused comm_open
    kernel.setStatus('idle');
    expect(kernel.comms).toHaveLength(1);
    expect(client.connection.status).toBe('not-loaded');
  });

  it('attaches while a long %%intern cell still runs', () => {
    const { kernel, client } = makeClient();
    client.noteExecution('%%intern\ntrain a model');
    kernel.setStatus('busy');
    vi.advanceTimersByTime(150);
    expect(kernel.comms).toHaveLength(1);
  });
});
