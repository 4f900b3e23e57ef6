/** A small DOM builder for the panel's views. */
import { ICONS, IconName } from './icons';

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: { [name: string]: string } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'class') {
      node.className = value;
    } else {
      node.setAttribute(name, value);
    }
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child);
    }
  }
  return node;
}

/** An icon as a span (the SVG markup is ours, never user text). */
export function icon(name: IconName, extraClass = ''): HTMLSpanElement {
  const span = el('span', { class: `mi-chat-icon ${extraClass}`.trim() });
  span.innerHTML = ICONS[name];
  return span;
}

/** A button with a label and an optional trailing icon. */
export function button(
  label: string,
  className: string,
  onClick: () => void,
  iconName?: IconName,
  title?: string
): HTMLButtonElement {
  const node = el('button', { type: 'button', class: `mi-chat-button ${className}` }, label);
  if (iconName) {
    node.append(icon(iconName));
  }
  if (title) {
    node.title = title;
  }
  node.addEventListener('click', onClick);
  return node;
}

/** Text cut for display only: the head and the tail around a marker. */
export function clip(text: string, maxChars = 3000, maxLines = 60): string {
  let lines = text.split('\n');
  let note = '';
  if (lines.length > maxLines) {
    const half = Math.floor(maxLines / 2);
    note = `\n[${lines.length - maxLines} lines hidden in this view]`;
    lines = [...lines.slice(0, half), '…', ...lines.slice(-half)];
  }
  let shown = lines.join('\n');
  if (shown.length > maxChars) {
    const half = Math.floor(maxChars / 2);
    note = `\n[${shown.length - maxChars} characters hidden in this view]`;
    shown = `${shown.slice(0, half)}\n…\n${shown.slice(-half)}`;
  }
  return shown + note;
}

/** Arguments that are not shown as code: `key: value` lines, multi-line text as a block. */
export function argumentList(args: { [key: string]: unknown }): HTMLElement | null {
  const entries = Object.entries(args);
  if (!entries.length) {
    return null;
  }
  const list = el('div', { class: 'mi-chat-arguments' });
  for (const [key, value] of entries) {
    const text = typeof value === 'string' ? value : (JSON.stringify(value) as string | undefined);
    const shown = clip(text ?? String(value), 1500, 30);
    const name = el('span', { class: 'mi-chat-muted' }, `${key}: `);
    list.append(
      shown.includes('\n') ? el('div', {}, name, el('pre', {}, shown)) : el('div', {}, name, shown)
    );
  }
  return list;
}

export function formatInt(value: number): string {
  return value.toLocaleString('en-US');
}
