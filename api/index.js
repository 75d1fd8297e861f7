// The Vercel Function behind /agent, /authorize and /health (vercel.json rewrites them here; the request keeps its
// path). It re-exports dist/vercel.js, the bundle of platforms/vercel.ts that `npm run build` writes and Vercel runs
// as the `vercel-build` script before it builds this function. Web-standard method exports serve both runtimes:
// Edge by default; delete `config` (or set `runtime: "nodejs"`) for Vercel's Node.js runtime.
export const config = { runtime: "edge" };
export { GET, HEAD, OPTIONS, POST } from "../dist/vercel.js";
