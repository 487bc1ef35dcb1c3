/**
 * `npm run playground`: builds the playground and serves it on localhost.
 *   --port <n>    port to listen on (default 8080; 0 picks a free one)
 *   --build-only  build into dist/playground/ and exit (npm run build:playground)
 */
import { parseArgs } from "node:util";
import { buildPlayground } from "./build.js";
import { servePlayground } from "./serve.js";

const { values } = parseArgs({ options: { port: { type: "string", default: "8080" }, "build-only": { type: "boolean", default: false } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`playground: --port must be a port number, got ${values.port}`);
  process.exit(2);
}
const dir = await buildPlayground();
if (values["build-only"]) {
  console.log(`playground built in ${dir}`);
} else {
  const server = await servePlayground(dir, port).catch((e: NodeJS.ErrnoException) => {
    console.error(`playground: cannot listen on port ${port}: ${e.code === "EADDRINUSE" ? "in use (try --port 0)" : e.message}`);
    process.exit(1);
  });
  console.log(`igwasm playground: ${server.url}  (Ctrl-C stops it)`);
}
