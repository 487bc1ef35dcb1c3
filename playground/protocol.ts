/**
 * Messages between the playground page and its worker. A worker does one job
 * (open a gadget, or run it) and the page terminates it when the job is done
 * or the user stops it: a guest that loops forever blocks only its worker.
 */
import type { EventsFile } from "../cli/events.js";
import type { GadgetSource } from "../cli/gadget-bytes.js";

/** Open a file the user gave: a wasm module or an image tarball; then inspect its module. */
export interface OpenFileJob {
  readonly job: "open-file";
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Inspect a gadget the page already has (a built-in example). */
export interface InspectJob {
  readonly job: "inspect";
  readonly source: GadgetSource;
}

export interface RunJob {
  readonly job: "run";
  readonly source: GadgetSource;
  readonly params: Readonly<Record<string, string>>;
  readonly events: EventsFile;
  /** A LogLevel number. */
  readonly logLevel: number;
  readonly trace: boolean;
}

export type Job = OpenFileJob | InspectJob | RunJob;

/** What the worker says. */
export type Report =
  | {
      readonly kind: "opened";
      readonly source: GadgetSource;
      /** The profile and its reason, for the page's summary line. */
      readonly profile: string;
      readonly profileReason: string;
      readonly problems: readonly string[];
      /** `igwasm inspect`'s report, as the CLI prints it. */
      readonly inspectText: string;
    }
  | { readonly kind: "log"; readonly level: string; readonly message: string }
  | { readonly kind: "trace"; readonly line: string }
  | {
      readonly kind: "packet";
      readonly ds: string;
      readonly columns: readonly string[];
      /** One row per record, cells as the CLI's table shows them. */
      readonly rows: readonly (readonly string[])[];
      /** The CLI's JSON line for the packet. */
      readonly json: string;
    }
  | { readonly kind: "done" }
  | { readonly kind: "failed"; readonly error: string };
