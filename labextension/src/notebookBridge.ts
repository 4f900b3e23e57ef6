/**
 * Answers the kernel's `notebook_request`s (read / edit / run) on the notebook whose kernel
 * asked, through its model: `model.sharedModel` for edits, `NotebookActions` for runs.
 */
import * as nbformat from '@jupyterlab/nbformat';
import { NotebookActions, NotebookPanel } from '@jupyterlab/notebook';

import { NotebookOutcome, isObject } from './codec';
import { JSONObject, NotebookRequestMessage } from './protocol';

/** Characters of output text kept per cell in a `read` or `run` answer. */
export const OUTPUT_CHARS = 2000;
const CELL_TYPES = ['code', 'markdown', 'raw'] as const;
type CellType = (typeof CELL_TYPES)[number];

function multiline(text: nbformat.MultilineString | undefined): string {
  return Array.isArray(text) ? text.join('') : (text ?? '');
}

const ANSI = new RegExp(String.fromCharCode(27) + '\\[[0-9;]*[A-Za-z]', 'g');

/** One output as text: stream text, `text/plain` of a result, or the error line. */
function outputText(output: nbformat.IOutput): string {
  if (nbformat.isStream(output)) {
    return multiline(output.text);
  }
  if (nbformat.isError(output)) {
    return `${output.ename}: ${output.evalue}`;
  }
  if (nbformat.isExecuteResult(output) || nbformat.isDisplayData(output)) {
    const data = output.data;
    if ('text/plain' in data) {
      return multiline(data['text/plain'] as nbformat.MultilineString);
    }
    return `[${Object.keys(data).join(', ')}]`;
  }
  return '';
}

/** Outputs summarised to text, at most OUTPUT_CHARS characters in all. */
export function summariseOutputs(outputs: readonly nbformat.IOutput[]): {
  outputs: { output_type: string; text: string }[];
  error: string | null;
} {
  let budget = OUTPUT_CHARS;
  let error: string | null = null;
  const summary = outputs.map(output => {
    const full = outputText(output).replace(ANSI, '');
    if (nbformat.isError(output)) {
      error = full;
    }
    const text = full.length > budget ? `${full.slice(0, Math.max(0, budget))}…` : full;
    budget = Math.max(0, budget - text.length);
    return { output_type: output.output_type, text };
  });
  return { outputs: summary, error };
}

function cellSummary(cell: nbformat.ICell, index: number): JSONObject {
  const outputs = nbformat.isCode(cell)
    ? summariseOutputs(cell.outputs)
    : { outputs: [], error: null };
  const out: JSONObject = {
    index,
    cell_type: cell.cell_type,
    source: multiline(cell.source),
    execution_count: nbformat.isCode(cell) ? cell.execution_count : null,
    outputs: outputs.outputs
  };
  if (outputs.error !== null) {
    out.error = outputs.error;
  }
  return out;
}

function fail(error: string): NotebookOutcome {
  return { ok: false, error };
}

function intArg(args: JSONObject, name: string): number | null {
  const value = args[name];
  return Number.isInteger(value) ? (value as number) : null;
}

function read(panel: NotebookPanel, args: JSONObject): NotebookOutcome {
  const cells = panel.content.model?.sharedModel.toJSON().cells ?? [];
  let wanted: number[];
  if (!('cells' in args) || args.cells === null) {
    wanted = cells.map((_, i) => i);
  } else if (Array.isArray(args.cells) && args.cells.every(i => Number.isInteger(i))) {
    wanted = args.cells as number[];
  } else {
    return fail('cells must be a list of cell indexes');
  }
  const missing = wanted.filter(i => i < 0 || i >= cells.length);
  if (missing.length) {
    return fail(
      `no cell ${missing.join(', ')}: the notebook has ${cells.length} cells (0 to ${cells.length - 1})`
    );
  }
  return {
    ok: true,
    result: { path: panel.context.path, cells: wanted.map(i => cellSummary(cells[i], i)) }
  };
}

function edit(panel: NotebookPanel, args: JSONObject): NotebookOutcome {
  const model = panel.content.model;
  if (model === null) {
    return fail('the notebook is not loaded');
  }
  const shared = model.sharedModel;
  const count = shared.cells.length;
  const operation = args.operation;
  const index = intArg(args, 'index');
  const source = args.source ?? '';
  const cellType = args.cell_type ?? null;
  if (typeof source !== 'string') {
    return fail('source must be text');
  }
  if (cellType !== null && !CELL_TYPES.includes(cellType as CellType)) {
    return fail('cell_type must be code, markdown or raw');
  }
  if (index === null) {
    return fail('index must be an integer');
  }
  const last = operation === 'insert' ? count : count - 1;
  if (index < 0 || index > last) {
    return fail(`index ${index} is out of range: the notebook has ${count} cells`);
  }
  switch (operation) {
    case 'insert':
      shared.insertCell(index, { cell_type: (cellType as CellType | null) ?? 'code', source });
      break;
    case 'replace': {
      const cell = shared.getCell(index);
      if (cellType !== null && cellType !== cell.cell_type) {
        shared.transact(() => {
          shared.deleteCell(index);
          shared.insertCell(index, { cell_type: cellType as CellType, source });
        });
      } else {
        cell.setSource(source);
      }
      break;
    }
    case 'delete':
      shared.deleteCell(index);
      break;
    default:
      return fail('operation must be insert, replace or delete');
  }
  return { ok: true, result: { path: panel.context.path, cells: shared.cells.length } };
}

async function run(panel: NotebookPanel, args: JSONObject): Promise<NotebookOutcome> {
  const notebook = panel.content;
  const index = intArg(args, 'index');
  if (index === null || index < 0 || index >= notebook.widgets.length) {
    return fail(`index must be a cell index from 0 to ${notebook.widgets.length - 1}`);
  }
  const cell = notebook.widgets[index];
  await NotebookActions.runCells(notebook, [cell], panel.sessionContext);
  const json = cell.model.sharedModel.toJSON();
  if (!nbformat.isCode(json)) {
    return { ok: true, result: { execution_count: null, outputs: [] } };
  }
  const { outputs, error } = summariseOutputs(json.outputs);
  const result: JSONObject = { execution_count: json.execution_count, outputs };
  if (error !== null) {
    result.error = error;
  }
  return { ok: true, result };
}

/** The answer to one request; `panel` is the notebook of the kernel that asked (null: none open). */
export async function answerNotebookRequest(
  panel: NotebookPanel | null,
  request: NotebookRequestMessage
): Promise<NotebookOutcome> {
  if (panel === null || panel.isDisposed) {
    return fail('the notebook of this kernel is not open in JupyterLab');
  }
  const args = isObject(request.args) ? request.args : {};
  switch (request.action) {
    case 'read':
      return read(panel, args);
    case 'edit':
      return edit(panel, args);
    case 'run':
      return run(panel, args);
  }
}
