import type { ReactNode } from "react";
import type { Fields, FieldValue } from "../review-queries.ts";

// A before/after of the fields an action touches, for a person: text as paragraphs with what is
// added and removed marked, lists item by item, a new page with its mods. The fields are those of
// the handlers' affected() (src/handlers).

const FIELD_LABELS: Record<string, string> = {
  metaDescription: "Meta description",
  body: "Page text",
  affiliateLinks: "Affiliate links",
  collection: "Collection",
  collectionPage: "Collection page",
  adSlots: "Ad slots",
  linkSuggestions: "Internal link suggestions",
};

type Mark = "added" | "removed" | "kept";

const same = (a: FieldValue | undefined, b: FieldValue | undefined) =>
  JSON.stringify(a) === JSON.stringify(b);
const isRecord = (value: FieldValue | undefined): value is { [key: string]: FieldValue } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Longest common subsequence of two lists: each item of the result is kept, added (only in `after`)
 * or removed (only in `before`), in reading order.
 */
export function diffLists<T>(before: T[], after: T[], equal: (a: T, b: T) => boolean): [Mark, T][] {
  // lcs(i, j): the longest common subsequence of before[i..] and after[j..].
  const lengths = Array.from({ length: before.length + 1 }, () =>
    new Array<number>(after.length + 1).fill(0),
  );
  const lcs = (i: number, j: number) => lengths[i]?.[j] ?? 0;
  for (let i = before.length - 1; i >= 0; i--) {
    const row = lengths[i] as number[];
    for (let j = after.length - 1; j >= 0; j--) {
      row[j] = equal(before[i] as T, after[j] as T)
        ? lcs(i + 1, j + 1) + 1
        : Math.max(lcs(i + 1, j), lcs(i, j + 1));
    }
  }
  const result: [Mark, T][] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && equal(before[i] as T, after[j] as T)) {
      result.push(["kept", after[j] as T]);
      i++;
      j++;
    } else if (j < after.length && (i >= before.length || lcs(i, j + 1) >= lcs(i + 1, j))) {
      result.push(["added", after[j] as T]);
      j++;
    } else {
      result.push(["removed", before[i] as T]);
      i++;
    }
  }
  return result;
}

/** The text of a mod page in paragraphs (blank-line separated), as the site renders it. */
const paragraphs = (text: string) => text.split(/\n\s*\n/).filter((part) => part.trim() !== "");

// Colour and strike-through are not read out: screen readers hear "added" / "removed".
function Added({ children }: { children: ReactNode }) {
  return (
    <ins>
      <span className="visually-hidden">added: </span>
      {children}
    </ins>
  );
}

function Removed({ children }: { children: ReactNode }) {
  return (
    <del>
      <span className="visually-hidden">removed: </span>
      {children}
    </del>
  );
}

function Marked({ mark, children }: { mark: Mark; children: ReactNode }) {
  if (mark === "added") return <Added>{children}</Added>;
  if (mark === "removed") return <Removed>{children}</Removed>;
  return <span className="kept">{children}</span>;
}

/** A paragraph of the page: "## Title" lines are headings. */
function Paragraph({ text, mark }: { text: string; mark: Mark }) {
  const heading = /^#{1,6}\s+(.*)$/.exec(text.trim());
  return (
    <div className={`paragraph ${mark}`}>
      <Marked mark={mark}>{heading ? <strong className="heading">{heading[1]}</strong> : text}</Marked>
    </div>
  );
}

function TextDiff({ before, after, long }: { before: string | null; after: string | null; long: boolean }) {
  if (!long) {
    return (
      <div className="text-change">
        <div>
          <span className="muted">Before ({before === null ? "none" : `${before.length} characters`}): </span>
          {before === null ? "—" : <Removed>{before}</Removed>}
        </div>
        <div>
          <span className="muted">After ({after === null ? "none" : `${after.length} characters`}): </span>
          {after === null ? "—" : <Added>{after}</Added>}
        </div>
      </div>
    );
  }
  const marked = diffLists(paragraphs(before ?? ""), paragraphs(after ?? ""), (a, b) => a === b);
  return (
    <div className="page-section">
      {marked.map(([mark, text], index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: paragraphs may repeat; their order is their identity
        <Paragraph key={index} text={text} mark={mark} />
      ))}
    </div>
  );
}

/** One list item in words: a link, an ad slot, a suggestion, a collection entry. */
export function describeItem(item: FieldValue): string {
  if (!isRecord(item)) return JSON.stringify(item);
  if ("url" in item) return `${item.type ?? "link"} link in ${item.position ?? "?"}: ${item.url}`;
  if ("format" in item) return `${item.format} slot at ${item.position}`;
  if ("targetModId" in item) {
    return `link to “${item.targetTitle}” (mod ${item.targetModId}), score ${item.score}, ${item.status}`;
  }
  if ("modId" in item) return `${Number(item.position) + 1}. ${item.title} (mod ${item.modId})`;
  return JSON.stringify(item);
}

function ListDiff({ before, after }: { before: FieldValue[]; after: FieldValue[] }) {
  const marked = diffLists(before, after, same);
  if (!marked.length) return <p className="muted">None, before or after.</p>;
  return (
    <ul className="list-change">
      {marked.map(([mark, item], index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: an item's place in the merged list is its identity
        <li key={index} className={mark}>
          <Marked mark={mark}>{describeItem(item)}</Marked>
        </li>
      ))}
    </ul>
  );
}

/** A collection page (or none): its title, slug and description, and its mods in order. */
function PageDiff({ before, after }: { before: FieldValue; after: FieldValue }) {
  const was = isRecord(before) ? before : null;
  const now = isRecord(after) ? after : null;
  const scalar = (key: string, label: string) => {
    const a = was?.[key] ?? null;
    const b = now?.[key] ?? null;
    if (a === null && b === null) return null;
    return (
      <div>
        <span className="muted">{label}: </span>
        {same(a, b) ? (
          String(b)
        ) : (
          <>
            {a !== null ? <Removed>{String(a)}</Removed> : null}{" "}
            {b !== null ? <Added>{String(b)}</Added> : null}
          </>
        )}
      </div>
    );
  };
  return (
    <div className="page-change">
      {!was ? <p className="muted">Does not exist yet: the action creates it.</p> : null}
      {!now ? <p className="muted">Deleted.</p> : null}
      {scalar("title", "Title")}
      {scalar("slug", "Slug")}
      {scalar("description", "Description")}
      <ListDiff
        before={Array.isArray(was?.mods) ? was.mods : []}
        after={Array.isArray(now?.mods) ? now.mods : []}
      />
    </div>
  );
}

function FieldDiff({ name, before, after }: { name: string; before: FieldValue; after: FieldValue }) {
  if (Array.isArray(before) || Array.isArray(after)) {
    return (
      <ListDiff before={Array.isArray(before) ? before : []} after={Array.isArray(after) ? after : []} />
    );
  }
  if (isRecord(before) || isRecord(after)) return <PageDiff before={before} after={after} />;
  return (
    <TextDiff
      before={before === null ? null : String(before)}
      after={after === null ? null : String(after)}
      long={name === "body"}
    />
  );
}

/**
 * Every field of `before`/`after`, each with what changed; unchanged fields say so. Both are the JSON
 * the server sends for a change (previews, ExecutionLog.diff): Fields, the affected fields by name.
 */
export function ChangeDiff(props: { before: unknown; after: unknown; label: string }) {
  const [beforeFields, afterFields] = [props.before as Fields, props.after as Fields];
  const names = [...new Set([...Object.keys(beforeFields), ...Object.keys(afterFields)])];
  return (
    <section className="change-diff" aria-label={props.label}>
      {names.map((name) => {
        const before = beforeFields[name] ?? null;
        const after = afterFields[name] ?? null;
        return (
          <div key={name} className="change-field" data-field={name}>
            <h4>
              {FIELD_LABELS[name] ?? name}
              {same(before, after) ? <span className="muted"> — unchanged</span> : null}
            </h4>
            <FieldDiff name={name} before={before} after={after} />
          </div>
        );
      })}
    </section>
  );
}
