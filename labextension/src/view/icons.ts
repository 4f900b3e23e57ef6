/** Inline SVG icons drawn in `currentColor` (no emoji: their fonts are often missing). */
import { LabIcon } from '@jupyterlab/ui-components';

const svg = (body: string, size = 14): string =>
  `<svg viewBox="0 0 16 16" width="${size}" height="${size}" aria-hidden="true" focusable="false">${body}</svg>`;

export const ICONS = {
  ask: svg(
    '<circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.6"/><path d="M8 4.5v4.3M8 11v.8" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/>'
  ),
  ok: svg(
    '<path d="M3 8.5l3.2 3.2L13 4.8" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>'
  ),
  no: svg(
    '<path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>'
  ),
  run: svg(
    '<circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.6" stroke-dasharray="28 10"/>'
  ),
  stop: svg('<rect x="4" y="4" width="8" height="8" rx="1.5" fill="currentColor"/>'),
  dot: svg('<circle cx="8" cy="8" r="3" fill="currentColor"/>'),
  send: svg(
    '<path d="M2.5 8h9M8 4l4 4-4 4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/>'
  ),
  chevron: svg(
    '<path d="M6 4l4 4-4 4" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" stroke-linejoin="round"/>',
    12
  ),
  box: svg(
    '<rect x="3" y="3" width="10" height="10" rx="2" fill="none" stroke="currentColor" stroke-width="1.5"/>'
  ),
  checked: svg(
    '<rect x="3" y="3" width="10" height="10" rx="2" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M5.3 8.2l1.9 1.9 3.6-3.8" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"/>'
  )
} as const;

export type IconName = keyof typeof ICONS;

/** The sidebar tab's icon: a speech bubble with three dots. */
export const chatIcon = new LabIcon({
  name: 'ml-intern:chat',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16"><path class="jp-icon3" fill="#616161" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3.5 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm4.5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm4.5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"/></svg>'
});
