// The Vercel Function behind /agent, /authorize and /health (vercel.json rewrites them here; the request keeps its
// path). It re-exports dist/vercel.js, the bundle of platforms/vercel.ts that the `vercel-build` script writes when
// `vercel build` runs. It runs on Vercel's Node.js runtime (Vercel Functions). For the Edge runtime instead,
// uncomment the next line (the only change; `node scripts/vercel-build.mjs --edge --dir <folder>` builds a copy so):
// export const config = { runtime: "edge" };
export { GET, HEAD, OPTIONS, POST } from "../dist/vercel.js";
