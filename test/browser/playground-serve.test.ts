/**
 * `npm run playground`: builds the site, serves it on localhost and prints
 * the address; the server serves the built files and nothing outside them.
 * Needs no browser.
 */
import { spawn } from "node:child_process";
import { get } from "node:http";
import { describe, expect, it } from "vitest";

describe("npm run playground", () => {
  it("prints the address it serves the page on", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "playground/main.ts", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /^igwasm playground: (http:\/\/127\.0\.0\.1:\d+\/) /m.exec(out);
          if (m) resolve(m[1]);
        });
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.on("exit", (code) => reject(new Error(`exited ${code} before printing the address:\n${out}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<title>igwasm playground</title>");
      const app = await fetch(new URL("app.js", url));
      expect(app.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect((await fetch(new URL("missing.js", url))).status).toBe(404);
      // A path that climbs out of the site (sent as is: fetch would normalise it) is refused.
      const status = (path: string): Promise<number | undefined> =>
        new Promise((resolve, reject) => get(new URL(path, url), (res) => resolve(res.resume().statusCode)).on("error", reject));
      expect(await status("/..%2f..%2fpackage.json")).toBe(403);
      // A malformed escape is a bad request, and the server stays up.
      expect(await status("/%E0%A4%A")).toBe(400);
      expect((await fetch(url)).status).toBe(200);
    } finally {
      child.kill();
    }
  });

  it("rejects a bad --port", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "playground/main.ts", "--port", "http"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(2);
    expect(err).toBe("playground: --port must be a port number, got http\n");
  });
});
