// Prints the admin API's OpenAPI document (what GET /api/openapi.json serves), for the linter:
// `npm run lint:openapi`.
import { openApiDocument } from "../src/http/openapi.ts";

console.log(JSON.stringify(openApiDocument(), null, 2));
