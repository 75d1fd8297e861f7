// Serves platforms/node.ts on Node.js as `npm run start:node` does: bundled first (Node 20 runs no TypeScript).
import { pathToFileURL } from "node:url";
import { buildBundles } from "../../scripts/build.mjs";

const [bundle] = await buildBundles({ names: ["node"], development: true });
await import(pathToFileURL(bundle.path).href);
