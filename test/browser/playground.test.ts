/**
 * The playground (playground/) in headless Chromium, as a user meets it:
 * the built page served on localhost, an example run with the network off,
 * a gadget image tarball made here and dropped on the page, the inline error
 * of a malformed events file, and Stop ending a guest that loops forever.
 * Screenshots go to .tmp/playground/ for people to look at.
 * Skipped, with a message, where Chromium is missing (CI installs it).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bytesFromBase64 } from "../../cli/bytes-text.js";
import { embeddedExamples } from "../../cli/embedded/examples.js";
import { writeGadgetImage } from "../../cli/tar-writer.js";
import { buildPlayground } from "../../playground/build.js";
import { servePlayground, type RunningServer } from "../../playground/serve.js";
import { wat } from "../helpers/wat.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumMissing } from "./chromium.js";

const OUT = ".tmp/playground";
const missing = chromiumMissing();
if (missing !== null) console.warn(`playground: ${missing}`);

const example = (name: string) => embeddedExamples.find((e) => e.name === name)!;

/** The rows of a data source's table on the page, header first. */
async function table(page: Page, ds: string): Promise<string[][]> {
  return page.$$eval(`#out-tables section[data-ds="${ds}"] tr`, (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? "")));
}

async function finished(page: Page): Promise<string> {
  await page.waitForSelector('#status:is([data-state="done"], [data-state="failed"], [data-state="stopped"])');
  return page.$eval("#status", (el) => `${(el as HTMLElement).dataset.state}: ${el.textContent}`);
}

describe.skipIf(missing !== null)("playground in Chromium", () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    server = await servePlayground(await buildPlayground(join(OUT, "site")));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    return async () => {
      await context.close();
      expect(errors, "uncaught errors on the page").toEqual([]);
    };
  });

  it("runs an example with one click, offline once loaded: rows, JSON, log", async () => {
    await page.context().setOffline(true);
    await page.click('#examples button[data-example="filter"]');
    expect(await finished(page)).toMatch(/^done: /);
    // gadget.yaml's default min_pid=1000 keeps two of the four events.
    expect(await table(page, "filtered")).toEqual([["PID", "COMM"], ["1200", "bash"], ["4242", "curl"]]);
    expect(await page.textContent("#gadget-summary")).toMatch(/IG v0\.\d+\.\d+ - v0\.55\.1/);
    expect(await page.textContent("#inspect")).toContain("no problems found");
    expect(await page.$$eval("#params [data-param]", (els) => els.map((e) => (e as HTMLInputElement).dataset.param))).toEqual(["min_pid"]);
    expect((await page.textContent("#out-json"))!.trim().split("\n")).toEqual(['{"ds":"filtered","pid":1200,"comm":"bash"}', '{"ds":"filtered","pid":4242,"comm":"curl"}']);
    expect(await page.textContent("#out-log")).toBe("info: filter ready: min_pid=1000\n");
    // The log level choices are the spec's LogLevel names, Info selected.
    expect(await page.$$eval("#log-level option", (els) => els.map((e) => (e as HTMLOptionElement).value))).toEqual(["error", "warn", "info", "debug", "trace"]);
    expect(await page.$eval("#log-level", (el) => (el as HTMLSelectElement).value)).toBe("info");

    // A param changed on the page reaches the guest; the trace is there when asked for.
    await page.fill('#params [data-param="min_pid"]', "2000");
    await page.check("#trace");
    await page.click("#run");
    expect(await finished(page)).toMatch(/^done: /);
    expect(await table(page, "filtered")).toEqual([["PID", "COMM"], ["4242", "curl"]]);
    await page.click('#tabs button[data-tab="trace"]');
    expect(await page.textContent("#out-trace")).toMatch(/getParamValue/);
  });

  it("runs a gadget image tarball dropped on the page, with the image's param defaults", async () => {
    const emitter = example("emitter");
    // The emitter's own gadget.yaml says count 3; this image's says 2.
    const tarball = writeGadgetImage({ wasm: bytesFromBase64(emitter.wasmBase64), metadataYaml: emitter.metadataYaml.replace('defaultValue: "3"', 'defaultValue: "2"'), ref: "ghcr.io/example/emitter:test" });
    await page.evaluate((bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], "emitter.tar"));
      document.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    }, [...tarball]);
    await page.waitForFunction(() => document.querySelector("#gadget-summary")?.textContent?.startsWith("emitter.tar: gadget image"));
    expect(await page.$eval('#params [data-param="count"]', (el) => (el as HTMLInputElement).placeholder)).toBe("2");
    await page.click("#run");
    expect(await finished(page)).toMatch(/^done: /);
    const counter = await table(page, "counter");
    expect(counter.length - 1).toBe(2);
    const batch = await table(page, "batch");
    expect(batch.length - 1).toBe(2);
  });

  it("shows a malformed events file's error inline, file:line, and runs nothing", async () => {
    await page.click('#examples button[data-example="enricher"]');
    expect(await finished(page)).toMatch(/^done: /);
    await page.fill("#events", "dataSources:\n  - name: events\n    fields: { pid: uint99 }\nevents: []\n");
    await page.click("#run");
    expect(await finished(page)).toBe("failed: The events file has an error (shown under it); nothing ran.");
    expect(await page.textContent("#events-error")).toMatch(/^enricher\/events\.yaml:2:5: dataSources\[0\] \(events\): field pid: .*uint99/);
    expect(await page.isVisible("#events-error")).toBe(true);
    expect(await page.$$("#out-tables section")).toHaveLength(0);

    // JSON lines, picked with the format selector, report the line.
    await page.selectOption("#events-format", "events.jsonl");
    await page.fill("#events", '{"dataSource": {"name": "events", "fields": {"pid": "uint32"}}}\n{"ds": "events", "values": {"pid": -1}}\n');
    await page.click("#run");
    expect(await finished(page)).toMatch(/^failed: /);
    expect(await page.textContent("#events-error")).toMatch(/^events\.jsonl:2: .*uint32 range/);

    // An opened events file names itself in the error; .yaml picks YAML again.
    await page.setInputFiles("#open-events", { name: "bad.yaml", mimeType: "text/yaml", buffer: Buffer.from("events:\n  - ds: nowhere\n    values: {}\n") });
    expect(await page.$eval("#events-format", (el) => (el as HTMLSelectElement).value)).toBe("events.yaml");
    expect(await page.textContent("#events-error")).toBe("bad.yaml:2:5: events[0]: data source nowhere is not declared (declared: none)");
    await page.screenshot({ path: join(OUT, "events-error.png") });
  });

  it("reports a guest that traps as igwasm run does, and the run as failed", async () => {
    const trapping = await wat(`(module
      (import "ig" "gadgetLog" (func $log (param i32 i64)))
      (memory (export "memory") 1)
      (func (export "gadgetAPIVersion") (result i64) (i64.const 1))
      (func (export "gadgetStart") (result i32) unreachable))`);
    await page.setInputFiles("#open-gadget", { name: "trap.wasm", mimeType: "application/wasm", buffer: Buffer.from(trapping) });
    await page.waitForFunction(() => document.querySelector("#gadget-summary")?.textContent?.startsWith("trap.wasm:"));
    await page.fill("#events", "");
    await page.click("#run");
    expect(await finished(page)).toBe("failed: Failed: start failed: gadgetStart trapped: unreachable");
    expect(await page.textContent("#out-log")).toBe("igwasm: trap.wasm: start failed: gadgetStart trapped: unreachable\n");
  });

  it("stops a guest that loops forever in gadgetStart; the page runs the next gadget", async () => {
    const looping = await wat(`(module
      (import "ig" "gadgetLog" (func $log (param i32 i64)))
      (memory (export "memory") 1)
      (data (i32.const 16) "looping")
      (func (export "gadgetAPIVersion") (result i64) (i64.const 1))
      (func (export "gadgetStart") (result i32)
        (call $log (i32.const 2) (i64.const ${(7n << 32n) | 16n}))
        (loop $forever (br $forever))
        (i32.const 0)))`);
    await page.setInputFiles("#open-gadget", { name: "looping.wasm", mimeType: "application/wasm", buffer: Buffer.from(looping) });
    await page.waitForFunction(() => document.querySelector("#gadget-summary")?.textContent?.startsWith("looping.wasm:"));
    await page.click("#run");
    // The guest logged, then spins: the page stays responsive and says it is running.
    await page.waitForFunction(() => document.querySelector("#out-log")?.textContent === "info: looping\n");
    expect(await page.$eval("#status", (el) => (el as HTMLElement).dataset.state)).toBe("running");
    expect(await page.isEnabled("#stop")).toBe(true);
    await page.click("#stop");
    expect(await finished(page)).toMatch(/^stopped: Stopped after \d+ ms \(the worker was terminated\)/);
    expect(await page.isEnabled("#stop")).toBe(false);

    await page.click('#examples button[data-example="enricher"]');
    expect(await finished(page)).toMatch(/^done: /);
    expect(await table(page, "events")).toEqual([
      ["PID", "COMM", "PPID", "PID_PLUS_PPID", "COMM_UPPER"],
      ["1", "systemd", "0", "1", "SYSTEMD"],
      ["1200", "bash", "1", "1201", "BASH"],
      ["4242", "curl", "1200", "5442", "CURL"],
      ["4294967295", "héllo wörld", "4294967295", "8589934590", "HÉLLO WÖRLD"],
    ]);
    await page.screenshot({ path: join(OUT, "after-run.png") });
  });
});
