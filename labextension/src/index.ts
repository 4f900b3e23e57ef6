/**
 * The ML Intern sidebar: a chat with the agent in the active notebook's kernel.
 *
 * One client (one `ml_intern` comm) per kernel connection, made when a notebook using it is
 * shown or runs code that loads the extension; the panel follows the active notebook.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Kernel, KernelMessage } from '@jupyterlab/services';

import { ChatClient } from './client';
import { answerNotebookRequest } from './notebookBridge';
import { ChatPanel, PANEL_ID } from './view/panel';

export const COMMAND_OPEN = 'ml-intern:open-chat';

function activate(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  rendermime: IRenderMimeRegistry,
  palette: ICommandPalette | null,
  restorer: ILayoutRestorer | null
): void {
  const panel = new ChatPanel(rendermime);
  const clients = new Map<Kernel.IKernelConnection, ChatClient>();

  const notebookOf = (kernel: Kernel.IKernelConnection): NotebookPanel | null =>
    tracker.find(nb => nb.sessionContext.session?.kernel === kernel) ?? null;

  const clientFor = (kernel: Kernel.IKernelConnection): ChatClient => {
    let client = clients.get(kernel);
    if (client === undefined || client.isDisposed) {
      client = new ChatClient(kernel, request =>
        answerNotebookRequest(notebookOf(kernel), request)
      );
      clients.set(kernel, client);
      kernel.disposed.connect(() => {
        clients.delete(kernel);
        follow();
      });
    }
    return client;
  };

  const follow = (): void => {
    const notebook = tracker.currentWidget;
    const kernel = notebook?.sessionContext.session?.kernel ?? null;
    const client = kernel === null || kernel.isDisposed ? null : clientFor(kernel);
    if (client !== null && client.connection.status === 'detached') {
      client.attachWhenReady();
    }
    panel.follow({ notebook: notebook === null ? null : notebook.context.localPath, client });
  };

  const watch = (notebook: NotebookPanel): void => {
    const session = notebook.sessionContext;
    session.kernelChanged.connect(() => {
      if (tracker.currentWidget === notebook) {
        follow();
      }
    });
    session.iopubMessage.connect((_, msg) => {
      const kernel = session.session?.kernel;
      if (kernel && KernelMessage.isExecuteInputMsg(msg)) {
        clientFor(kernel).noteExecution(msg.content.code);
      }
    });
  };

  tracker.forEach(watch);
  tracker.widgetAdded.connect((_, notebook) => watch(notebook));
  tracker.currentChanged.connect(follow);
  follow();

  app.shell.add(panel, 'right', { rank: 600 });
  restorer?.add(panel, PANEL_ID);

  app.commands.addCommand(COMMAND_OPEN, {
    label: 'Open ML Intern chat',
    caption: 'Chat with ML Intern in the active notebook’s kernel',
    execute: () => {
      app.shell.activateById(panel.id);
    }
  });
  palette?.addItem({ command: COMMAND_OPEN, category: 'ML Intern' });
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'ml-intern-jupyter:chat',
  description: 'A sidebar chat with ML Intern, the agent in the active notebook’s kernel.',
  autoStart: true,
  requires: [INotebookTracker, IRenderMimeRegistry],
  optional: [ICommandPalette, ILayoutRestorer],
  activate
};

export default plugin;
