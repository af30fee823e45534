/** "Showing 1–25 of 80" with previous / next. */
export function Pager(props: {
  offset: number;
  pageSize: number;
  shown: number;
  total: number;
  label: string;
  onChange(offset: number): void;
}) {
  const { offset, pageSize, shown, total } = props;
  return (
    <nav className="pager" aria-label={`${props.label} pages`}>
      <span aria-live="polite">
        {total === 0 ? "Nothing to show" : `Showing ${offset + 1}–${offset + shown} of ${total}`}
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
        disabled={offset + shown >= total}
        onClick={() => props.onChange(offset + pageSize)}
      >
        Next
      </button>
    </nav>
  );
}
