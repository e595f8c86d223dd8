// Markdown written by people (a run's note), rendered through JupyterLab's sanitizer, never trusted.
import {
  IRenderMime,
  IRenderMimeRegistry,
  MimeModel
} from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';
import React from 'react';

/** Props of {@link Markdown}. */
export interface IMarkdownProps {
  /** The Markdown text. */
  source: string;
  /** JupyterLab's renderers; without them the text is shown as it is. */
  rendermime: IRenderMimeRegistry | null;
  /** The accessible name of the rendered region. */
  label: string;
}

/**
 * Markdown rendered by JupyterLab's `text/markdown` renderer as *untrusted*
 * output: its HTML goes through the sanitizer (no script, no event handler,
 * no `javascript:` link) before it reaches the page. Without a renderer
 * registry the text is shown as plain text.
 */
export class Markdown extends React.Component<IMarkdownProps> {
  override componentDidMount(): void {
    void this._render();
  }

  override componentDidUpdate(previous: IMarkdownProps): void {
    if (
      previous.source !== this.props.source ||
      previous.rendermime !== this.props.rendermime
    ) {
      void this._render();
    }
  }

  override componentWillUnmount(): void {
    this._dispose();
  }

  override render(): React.JSX.Element {
    if (this.props.rendermime === null) {
      return (
        <p className="jp-xp-Note" role="region" aria-label={this.props.label}>
          {this.props.source}
        </p>
      );
    }
    return (
      <div
        ref={this._host}
        className="jp-xp-Markdown"
        role="region"
        aria-label={this.props.label}
      />
    );
  }

  private async _render(): Promise<void> {
    const { rendermime, source } = this.props;
    const host = this._host.current;
    this._dispose();
    if (rendermime === null || host === null) {
      return;
    }
    const renderer = rendermime.createRenderer('text/markdown');
    this._renderer = renderer;
    Widget.attach(renderer, host);
    await renderer.renderModel(
      new MimeModel({ data: { 'text/markdown': source }, trusted: false })
    );
  }

  private _dispose(): void {
    const renderer = this._renderer;
    this._renderer = null;
    if (renderer !== null) {
      if (renderer.isAttached) {
        Widget.detach(renderer);
      }
      renderer.dispose();
    }
  }

  private readonly _host = React.createRef<HTMLDivElement>();
  private _renderer: IRenderMime.IRenderer | null = null;
}
