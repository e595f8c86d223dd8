// What a browser has and jsdom lacks, for the component tests: ResizeObserver (jsdom lays nothing out, so it never fires).
class NoLayoutResizeObserver {
  observe(): void {
    // jsdom computes no sizes: there is never a resize to report.
  }
  unobserve(): void {
    // Nothing observed, nothing to stop.
  }
  disconnect(): void {
    // Nothing observed, nothing to stop.
  }
}

if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver =
    NoLayoutResizeObserver as unknown as typeof ResizeObserver;
}

// Lumino's drag and drop (under @jupyterlab/apputils) extends DragEvent at import.
if (typeof globalThis.DragEvent === 'undefined') {
  globalThis.DragEvent = class extends MouseEvent {} as typeof DragEvent;
}

// The design system under @jupyterlab/apputils asks for the colour scheme at import.
if (typeof window.matchMedia !== 'function') {
  window.matchMedia = (query: string): MediaQueryList =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false
    }) as MediaQueryList;
}
