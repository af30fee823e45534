// The UI speaks the engine's vocabularies (statuses, modes, wait kinds): one module, shared with the server.
export * from "../../src/vocabulary.ts";
