// Part of `npm run type-check`: exits 1, listing the problems, when a UI document does not validate
// against web/schema.graphql (see ui-documents.ts).
import { committedSchema, documentProblems, uiDocuments } from "./ui-documents.ts";

const documents = uiDocuments();
const problems = documentProblems(await committedSchema(), documents);
for (const problem of problems) console.error(problem);
if (problems.length) process.exit(1);
console.log(`${documents.length} UI GraphQL documents valid against web/schema.graphql`);
