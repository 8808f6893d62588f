/**
 * A sortable table whose body renders only the rows in view (TanStack Table for the model and
 * sorting, TanStack Virtual for the window): 10,000 rows stay smooth. It stays a real <table>
 * (spacer rows above and below the window) so screen readers and keyboard users get table
 * semantics; sortable headers are buttons with aria-sort on the header cell.
 */
import { useRef, type ReactNode } from 'react';
import { createSortedRowModel, rowSortingFeature, sortFn_alphanumeric, sortFn_basic, sortFn_text, tableFeatures, useTable, type ColumnDef, type Row, type RowData } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';

export const sortableFeatures = tableFeatures({
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric, text: sortFn_text, basic: sortFn_basic },
});
export type Features = typeof sortableFeatures;

export function VirtualTable<T extends RowData>({
  data,
  columns,
  label,
  rowKey,
  height = 560,
  rowHeight = 36,
  renderAfterRow,
}: {
  data: T[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: ColumnDef<Features, T, any>[];
  label: string;
  rowKey: (row: T) => string;
  height?: number;
  rowHeight?: number;
  /** Extra content under a row (an expanded finding's paths): measured, so rows may differ in height. */
  renderAfterRow?: (row: Row<Features, T>) => ReactNode;
}) {
  const table = useTable({ features: sortableFeatures, columns, data, getRowId: (r) => rowKey(r) });
  const rows = table.getRowModel().rows;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    getItemKey: (i) => rows[i]!.id,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const before = items.length ? items[0]!.start : 0;
  const after = items.length ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const ncols = table.getAllLeafColumns().length;

  return (
    <div className="vtable" ref={scrollRef} style={{ maxHeight: height }} tabIndex={0} role="region" aria-label={label}>
      <table>
        <thead>
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id}>
              {g.headers.map((h) => {
                const sorted = h.column.getIsSorted();
                const canSort = h.column.getCanSort();
                return (
                  <th key={h.id} scope="col" aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : canSort ? 'none' : undefined}>
                    {h.isPlaceholder ? null : canSort ? (
                      <button type="button" className="sortbtn" onClick={h.column.getToggleSortingHandler()}>
                        <table.FlexRender header={h} />
                        <span aria-hidden="true">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span>
                      </button>
                    ) : (
                      <table.FlexRender header={h} />
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        {before > 0 && (
          <tbody aria-hidden="true" className="spacer">
            <tr>
              <td colSpan={ncols} style={{ height: before }} />
            </tr>
          </tbody>
        )}
        {items.map((vi) => {
          const row = rows[vi.index]!;
          const extra = renderAfterRow?.(row);
          // one <tbody> per row (and its detail row): measured together, the columns stay aligned
          return (
            <tbody key={row.id} data-index={vi.index} ref={virtualizer.measureElement}>
              <tr>
                {row.getAllCells().map((c) => (
                  <td key={c.id}>
                    <table.FlexRender cell={c} />
                  </td>
                ))}
              </tr>
              {extra && (
                <tr className="detail">
                  <td colSpan={ncols}>{extra}</td>
                </tr>
              )}
            </tbody>
          );
        })}
        {after > 0 && (
          <tbody aria-hidden="true" className="spacer">
            <tr>
              <td colSpan={ncols} style={{ height: after }} />
            </tr>
          </tbody>
        )}
      </table>
      {rows.length === 0 && <p className="empty">Nothing to show.</p>}
    </div>
  );
}
