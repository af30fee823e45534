// Imported before anything from postgraphile: Grafast reads GRAPHILE_ENV when it loads. A server runs
// in production mode (no development-only checks, no warning about the variable) unless told otherwise.
process.env.GRAPHILE_ENV ??= "production";
