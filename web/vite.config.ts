import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The admin UI: built into web/dist and served by the API server at /admin (src/http/ui.ts).
// Vite 8 compiles TSX itself (oxc, React's automatic runtime), so no React plugin is needed.
const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/admin/",
  oxc: { jsx: { runtime: "automatic" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // chart.js and react together are a little over Vite's default 500 kB warning.
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npx vite web` during UI development: the API runs on `npm start` (port 3000).
    proxy: {
      "/graphql": "http://127.0.0.1:3000",
      "/api": "http://127.0.0.1:3000",
    },
  },
});
