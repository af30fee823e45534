import { Fragment } from "react";
import { formatAge, formatExactTime, formatTime, REASON_TIME } from "../format.ts";

/** A time in the UI's one format and zone; the exact instant on hover. `relative`: "3 min ago". */
export function Time(props: { value: string | null | undefined; relative?: boolean }) {
  if (!props.value) return <>—</>;
  return (
    <time dateTime={props.value} title={formatExactTime(props.value)}>
      {props.relative ? formatAge(props.value) : formatTime(props.value)}
    </time>
  );
}

/** Text from the server (a status reason) with its "… UTC" times shown in the chosen zone. */
export function TimeText({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  const pieces: (string | { iso: string })[] = [];
  let last = 0;
  for (const match of text.matchAll(REASON_TIME)) {
    pieces.push(text.slice(last, match.index));
    pieces.push({ iso: `${(match[1] as string).replace(" ", "T")}Z` });
    last = (match.index ?? 0) + match[0].length;
  }
  pieces.push(text.slice(last));
  return (
    <>
      {pieces.map((piece, index) =>
        typeof piece === "string" ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the pieces of one text never reorder
          <Fragment key={index}>{piece}</Fragment>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: as above
          <Time key={index} value={piece.iso} />
        ),
      )}
    </>
  );
}
