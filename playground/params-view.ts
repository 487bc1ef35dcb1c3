/**
 * The gadget's params: one input per param its gadget.yaml declares (with
 * IG's metadata: type hint, default, mandatory flag, possible values,
 * description), or, for a module without
 * metadata, free `key=value` lines as `--param` takes them.
 */
import { parseParams } from "../cli/args.js";
import type { ParamSpec } from "../runtime/index.js";

/** A text input, or a choice when the param lists its possible values; empty means "the default". */
function valueInput(s: ParamSpec): HTMLInputElement | HTMLSelectElement {
  let el: HTMLInputElement | HTMLSelectElement;
  if (s.possibleValues && s.possibleValues.length > 0) {
    el = document.createElement("select");
    el.append(new Option(s.defaultValue !== undefined ? `(default: ${s.defaultValue})` : "(unset)", ""), ...s.possibleValues.map((v) => new Option(v, v)));
  } else {
    el = Object.assign(document.createElement("input"), { placeholder: s.defaultValue ?? "" });
  }
  el.dataset.param = s.key;
  el.setAttribute("aria-label", s.key);
  return el;
}

export class ParamsView {
  private specs: readonly ParamSpec[] = [];

  constructor(private readonly box: HTMLElement) {}

  show(specs: readonly ParamSpec[]): void {
    this.specs = specs;
    this.box.textContent = "";
    if (specs.length === 0) {
      const note = Object.assign(document.createElement("p"), { className: "muted", textContent: "No params declared (no gadget.yaml). Params the gadget reads, one key=value a line:" });
      const text = Object.assign(document.createElement("textarea"), { id: "params-text", rows: 2, spellcheck: false });
      this.box.append(note, text);
      return;
    }
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    for (const h of ["param", "value", "type", "default", "description"]) head.append(Object.assign(document.createElement("th"), { textContent: h }));
    const body = table.createTBody();
    for (const s of specs) {
      const mandatory = s.isMandatory ?? s.mandatory ?? false;
      const tr = body.insertRow();
      Object.assign(tr.insertCell(), { textContent: s.key + (mandatory ? " *" : ""), title: [s.title, mandatory ? "mandatory" : ""].filter(Boolean).join("; ") });
      tr.insertCell().append(valueInput(s));
      tr.insertCell().textContent = s.typeHint ?? "";
      tr.insertCell().textContent = s.defaultValue ?? "";
      tr.insertCell().textContent = s.description ?? "";
    }
    this.box.append(table);
  }

  /** The params to run with: the inputs that were filled in. Throws UsageError on a bad key=value line. */
  values(): Record<string, string> {
    if (this.specs.length === 0) {
      const text = this.box.querySelector<HTMLTextAreaElement>("#params-text")?.value ?? "";
      return parseParams(text.split("\n").map((l) => l.trim()).filter((l) => l !== ""));
    }
    const out: Record<string, string> = {};
    for (const input of this.box.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-param]")) if (input.value !== "") out[input.dataset.param!] = input.value;
    return out;
  }
}
