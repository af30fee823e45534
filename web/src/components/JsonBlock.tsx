import { formatJson } from "../format.ts";

/** JSON, indented, in a scrollable block with a label for screen readers. */
export function JsonBlock({ value, label }: { value: unknown; label: string }) {
  return (
    <figure className="json">
      <figcaption>{label}</figcaption>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: long JSON scrolls; the keyboard must reach it */}
      <pre tabIndex={0}>
        <code>{value === null || value === undefined ? "none" : formatJson(value)}</code>
      </pre>
    </figure>
  );
}
