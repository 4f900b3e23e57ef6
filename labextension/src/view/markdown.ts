/**
 * Markdown rendered by JupyterLab's rendermime (its parser highlights code, MathJax typesets
 * math, the sanitizer cleans HTML), re-rendered at most once per `interval` while text streams.
 */
import { IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Panel } from '@lumino/widgets';

export const STREAM_RENDER_INTERVAL_MS = 50;

export class MarkdownView extends Panel {
  constructor(
    rendermime: IRenderMimeRegistry,
    private readonly onRendered: () => void = () => undefined,
    private readonly interval = STREAM_RENDER_INTERVAL_MS
  ) {
    super();
    this.addClass('mi-chat-markdown');
    this.renderer = rendermime.createRenderer('text/markdown');
    this.addWidget(this.renderer);
  }

  /** How many times the markdown was rendered (exposed as `data-renders` for tests). */
  get renders(): number {
    return this.renderCount;
  }

  /** Show `text`; while a render runs or the interval has not passed, only the latest text is kept. */
  setText(text: string): void {
    this.pending = text;
    this.schedule();
  }

  dispose(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    super.dispose();
  }

  private schedule(): void {
    if (this.rendering || this.timer !== null || this.pending === this.shown) {
      return;
    }
    const wait = Math.max(0, this.lastRender + this.interval - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, wait);
  }

  private async flush(): Promise<void> {
    if (this.pending === this.shown) {
      return;
    }
    const text = this.pending;
    this.rendering = true;
    try {
      const model = new MimeModel({
        data: { 'text/markdown': text },
        trusted: false
      });
      await this.renderer.renderModel(model);
      this.renderCount += 1;
      this.node.dataset.renders = String(this.renderCount);
    } catch (error) {
      console.warn('ml-intern: markdown render failed', error);
    } finally {
      this.rendering = false;
      this.shown = text;
      this.lastRender = Date.now();
    }
    if (!this.isDisposed) {
      this.onRendered();
      this.schedule();
    }
  }

  private readonly renderer: IRenderMime.IRenderer;
  private pending = '';
  private shown: string | null = null;
  private rendering = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastRender = 0;
  private renderCount = 0;
}

/** A fenced code block whose fence is longer than any backtick run inside `code`. */
export function fenced(code: string, language: string): string {
  const longest = Math.max(2, ...(code.match(/`+/g) ?? []).map(run => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${code}\n${fence}`;
}
