/** "Showing 1–25 of 80" with previous / next. */
export function Pager(props: {
  offset: number;
  pageSize: number;
  shown: number;
  total: number;
  /** Instead of the number, e.g. "more than 10,000" when the count was capped. */
  totalText?: string;
  label: string;
  /** The rows shown are still those of the previous filters or page. */
  loading?: boolean;
  onChange(offset: number): void;
}) {
  const { offset, pageSize, shown, total } = props;
  return (
    <nav className="pager" aria-label={`${props.label} pages`}>
      <span aria-live="polite">
        {props.loading
          ? "Loading…"
          : total === 0 || shown === 0
            ? "Nothing to show"
            : `Showing ${offset + 1}–${offset + shown} of ${props.totalText ?? total}`}
      </span>
      <button
        type="button"
        className="secondary"
        disabled={offset === 0}
        onClick={() => props.onChange(Math.max(0, offset - pageSize))}
      >
        Previous
      </button>
      <button
        type="button"
        className="secondary"
        disabled={shown < pageSize || (props.totalText === undefined && offset + shown >= total)}
        onClick={() => props.onChange(offset + pageSize)}
      >
        Next
      </button>
    </nav>
  );
}
