// A windowed React list of fixed-height rows (the run list's virtual scrolling).
import React, { useEffect, useRef, useState } from 'react';

/** Props of {@link VirtualList}. */
export interface IVirtualListProps<T> {
  /** Everything in the list; only the rows in view are rendered. */
  items: readonly T[];
  /** Height of every row, in pixels. */
  rowHeight: number;
  /** Rows rendered above and below the visible ones. */
  overscan?: number;
  /** A stable React key for an item. */
  itemKey: (item: T) => string;
  renderItem: (item: T, index: number) => React.ReactNode;
  /** Called when the last rows come into view (to load more). */
  onNearEnd?: () => void;
  /** Accessible name of the list. */
  label: string;
}

/**
 * A windowed list: a scroll container as tall as every row, of which only the
 * visible rows (plus `overscan`) are in the DOM, so ten thousand rows scroll
 * as smoothly as ten. Rows have a fixed height.
 *
 * Not `@jupyterlab/ui-components`' `WindowedList`: that is a Lumino widget
 * whose rows are Lumino widgets (one per visible row, each measured by a
 * ResizeObserver, made for notebook cells of varying height). The run list
 * is a React tree whose rows share React state (selection, collapsed
 * groups); with `WindowedList` each row would be a React root of its own,
 * created and disposed while scrolling, and that state would live outside
 * React. With rows of one fixed height, the window is two divisions.
 */
export function VirtualList<T>(props: IVirtualListProps<T>): React.JSX.Element {
  const { items, rowHeight, itemKey, renderItem, onNearEnd, label } = props;
  const overscan = props.overscan ?? 8;
  const container = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);

  useEffect(() => {
    const node = container.current;
    if (node === null) {
      return;
    }
    const observer = new ResizeObserver(() => setHeight(node.clientHeight));
    observer.observe(node);
    setHeight(node.clientHeight);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(
    items.length,
    Math.ceil((scrollTop + height) / rowHeight) + overscan
  );
  const nearEnd = items.length > 0 && last >= items.length;

  useEffect(() => {
    if (nearEnd && onNearEnd) {
      onNearEnd();
    }
  }, [nearEnd, items.length, onNearEnd]);

  const rows: React.ReactNode[] = [];
  for (let index = first; index < last; index++) {
    const item = items[index];
    rows.push(
      <div
        key={itemKey(item)}
        role="listitem"
        aria-posinset={index + 1}
        aria-setsize={items.length}
        className="jp-xp-VirtualList-row"
        style={{ top: index * rowHeight, height: rowHeight }}
      >
        {renderItem(item, index)}
      </div>
    );
  }

  return (
    <div
      ref={container}
      className="jp-xp-VirtualList"
      role="list"
      aria-label={label}
      onScroll={event => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div
        className="jp-xp-VirtualList-spacer"
        style={{ height: items.length * rowHeight }}
      >
        {rows}
      </div>
    </div>
  );
}
