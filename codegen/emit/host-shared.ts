/**
 * Emits `generated/host/shared/<family>.ts`: each function variant of a
 * family once, whatever the number of profiles it belongs to:
 *
 * - `<Variant>Host`: the one-method contract an implementation satisfies,
 *   with the function's whole documentation;
 * - `<Variant>Import`: the function as the module imports it (wasm values);
 * - `<variant>Shim(impl, ctx)`: the shim that decodes the wire arguments,
 *   calls `impl` and encodes its result or its error.
 *
 * The profile files (host.ts) compose these. Every decode, encode and error
 * decision comes from codegen/lowering.ts.
 */
import {
  StructureKind,
  type CodeBlockWriter,
  type FunctionDeclarationStructure,
  type InterfaceDeclarationStructure,
  type MethodSignatureStructure,
  type OptionalKind,
  type TypeAliasDeclarationStructure,
} from "ts-morph";
import type { GeneratedFile } from "../generated-file.js";
import {
  abiHelpersUsed,
  constantsUsed,
  CAPACITY_PARAM,
  hasCapacityParam,
  decodeAddress,
  decodeParam,
  describeErrorConv,
  errorReturn,
  interfaceParamType,
  interfaceResultType,
  isInterfaceParam,
  jsParamList,
  jsParams,
  lowerFunction,
  returnStatement,
  signatureTrace,
  handleTypeName,
} from "../lowering.js";
import type { AbiSpec, Family, HostFn, Param, ParamType } from "../model.js";
import { safeIdentifier } from "../names.js";
import {
  CONSTANTS_MODULE,
  hostSharedPath,
  hostVariantNames,
  implAndContext,
  ABI_MODULE,
  SHIM_CONTEXT_MODULE,
  TYPES_MODULE,
  variantModules,
} from "./host-names.js";
import { docText, familySource, firstSentence, ImportSet, jsDoc, printTsFile, tag, type Statement } from "./ts-print.js";

/**
 * The function with every parameter renamed to its safe TS identifier (and
 * the references to parameters in param and result types renamed alike), so
 * lowering's decode expressions name the shim's actual variables.
 */
export function withSafeNames(fn: HostFn): HostFn {
  const safe = (name: string): string => safeIdentifier(name, "ts");
  const renameType = (type: ParamType): ParamType =>
    type.kind === "kindValue" ? { ...type, kindParam: safe(type.kindParam) } : type;
  const t = fn.result.type;
  return {
    ...fn,
    params: fn.params.map((p): Param => ({ ...p, name: safe(p.name), type: renameType(p.type) })),
    result: {
      ...fn.result,
      type:
        t.kind === "bytesToDst"
          ? { ...t, dst: safe(t.dst) }
          : t.kind === "bytesToMalloc" && t.out !== undefined
            ? { ...t, out: safe(t.out) }
            : t.kind === "status" && t.success !== undefined
              ? { ...t, success: safe(t.success) }
              : t,
      error: fn.result.error.kind === "errPtr" ? { ...fn.result.error, param: safe(fn.result.error.param) } : fn.result.error,
    },
  };
}

/** Records the imports a parameter or result TS type needs. */
function importForType(imports: ImportSet, spec: AbiSpec, type: { kind: string; handleType?: string; enumName?: string }, tsType: string): void {
  if (type.kind === "handle") imports.type(TYPES_MODULE, tsType);
  if (type.kind === "enum" && spec.enums.some((e) => e.name === type.enumName)) imports.type(CONSTANTS_MODULE, tsType);
}

function returnsTag(fn: HostFn): string | undefined {
  const t = fn.result.type;
  const doc = fn.result.doc.trim();
  switch (t.kind) {
    case "none":
    case "status":
      return undefined;
    case "bytesToDst": {
      const empty = t.emptyValue === undefined ? "" : `, or null when there is nothing to copy (the module then gets ${t.emptyValue})`;
      const wire = doc === "" ? "" : ` The module gets: ${doc}`;
      return `The bytes or text the shim copies into \`${t.dst}\`${empty}.${wire}`;
    }
    case "scalarOrMalloc":
      return `The value's bits, or the bytes the shim copies into memory from the module's \`malloc\`.${doc === "" ? "" : ` ${doc}`}`;
    case "bytesToMalloc": {
      const empty = t.emptyValue === undefined ? "" : `, or null when there is nothing to copy (the module then gets ${t.emptyValue})`;
      const where = t.out === undefined ? "returns packed" : `stores packed at \`${t.out}\``;
      return `The bytes or text the shim copies into memory from the module's \`malloc\` and ${where}${empty}.${doc === "" ? "" : ` The module gets: ${doc}`}`;
    }
    default:
      return doc === "" ? undefined : doc;
  }
}

/** The `@generated` trace of a variant, naming the modules of all its profiles. */
function traceTag(spec: AbiSpec, fn: HostFn): { tagName: string; text: string } {
  return { tagName: "generated", text: `from ${signatureTrace(fn, variantModules(spec, fn))}` };
}

/** `(profiles env-v1, ig-v1)` */
function profilesNote(fn: HostFn): string {
  return `(profile${fn.profiles.length === 1 ? "" : "s"} ${fn.profiles.join(", ")})`;
}

function hostMethod(spec: AbiSpec, fn: HostFn, imports: ImportSet): OptionalKind<MethodSignatureStructure> {
  const params = fn.params.filter(isInterfaceParam);
  const tags = params.map((p) => tag("param", `${safeIdentifier(p.name, "ts")} ${p.doc.trim()}`.trimEnd()));
  const returns = returnsTag(fn);
  if (returns !== undefined) tags.push(tag("returns", returns));
  tags.push(tag("throws", `Any error fails the call. ${describeErrorConv(fn.result.error, fn.result)}`));
  tags.push(traceTag(spec, fn));
  const resultType = interfaceResultType(fn.result);
  if (fn.result.type.kind === "handle") imports.type(TYPES_MODULE, handleTypeName(fn.result.type.handleType));
  if (fn.result.miss !== null) imports.type(ABI_MODULE, "Miss");
  const parameters = params.map((p) => {
    const type = interfaceParamType(p.type);
    importForType(imports, spec, p.type, type);
    return { name: safeIdentifier(p.name, "ts"), type };
  });
  if (hasCapacityParam(fn)) {
    parameters.push({ name: CAPACITY_PARAM.name, type: CAPACITY_PARAM.type });
    tags.splice(params.length, 0, tag("param", `${CAPACITY_PARAM.name} ${CAPACITY_PARAM.doc}`));
  }
  return {
    name: fn.name,
    docs: [jsDoc(fn.doc, tags)],
    parameters,
    returnType: resultType,
  };
}

/** The JS parameter list and result of a shim (`fn` has safe names): numbers only, each i64 split in two. */
function jsSignature(fn: HostFn): { params: { name: string; type: string }[]; result: string } {
  const plan = lowerFunction(fn);
  return { params: plan.params.flatMap((p) => p.js).map((name) => ({ name, type: "number" })), result: plan.result.js };
}

/** `(a: number, b: number) => number` */
function signatureText(sig: { params: { name: string; type: string }[]; result: string }): string {
  return `(${sig.params.map((p) => `${p.name}: ${p.type}`).join(", ")}) => ${sig.result}`;
}

/** Allocates shim-local names that cannot shadow a parameter. */
function localNames(fn: HostFn): (base: string) => string {
  const taken = new Set(jsParamList(fn));
  return (base) => {
    let name = base;
    while (taken.has(name)) name += "_";
    taken.add(name);
    return name;
  };
}

/** The statements that answer an error or a miss with the function's convention (after it was reported). */
function errorAnswer(fn: HostFn): string[] {
  const lines: string[] = [];
  const error = fn.result.error;
  if (error.kind === "errPtr") {
    const p = fn.params.find((q) => q.name === error.param);
    if (p === undefined) throw new Error(`${fn.name}: error word ${error.param} is not a parameter`);
    lines.push(`setErrorWord(ctx, ${decodeAddress(p, fn)});`);
  }
  const ret = errorReturn(fn.result);
  if (ret !== null) lines.push(ret);
  return lines;
}

/**
 * The miss check after the call whose result is in `r`: MISS is answered like
 * an error, and its debug line (the spec's `onMiss` text, `{param}` filled in
 * from the decoded argument held in `args`) is built only when it is reported.
 */
function missCheck(fn: HostFn, r: string, args: ReadonlyMap<string, string>): string[] {
  if (fn.result.miss === null) return [];
  const text = fn.result.miss.replace(/[`\\$]/g, (c) => `\\${c}`).replace(/\{(\w+)\}/g, (_, name: string) => {
    const arg = args.get(name);
    if (arg === undefined) throw new Error(`${fn.name}: onMiss names {${name}}, which is not a parameter the implementation receives`);
    return `\${JSON.stringify(${arg})}`;
  });
  return [`if (${r} === MISS) {`, `  if (ctx.reportsMisses) ctx.miss(\`${fn.name}: ${text}\`);`, ...errorAnswer(fn).map((l) => `  ${l}`), "}"];
}

/** The statements of a shim's try block. `fn` has safe names. */
export function shimTryBody(fn: HostFn, local: (base: string) => string): string[] {
  const lines: string[] = [];
  // Arguments a miss message names are decoded into locals first.
  const named = new Map<string, string>();
  const wanted = new Set([...(fn.result.miss ?? "").matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
  const args = fn.params.filter(isInterfaceParam).map((p) => {
    const expr = decodeParam(p, fn);
    if (!wanted.has(p.name)) return expr;
    const v = local(`${p.name}Arg`);
    lines.push(`const ${v} = ${expr};`);
    named.set(p.name, v);
    return v;
  });
  const call = (extra: string[] = []): string => `impl.${fn.name}(${[...args, ...extra].join(", ")})`;
  const r = local("r");
  const t = fn.result.type;
  const result = fn.result;
  const callInto = (extra: string[] = []): string[] => [`const ${r} = ${call(extra)};`, ...missCheck(fn, r, named)];
  switch (t.kind) {
    case "none":
      return [...lines, `${call()};`];
    case "status": {
      const body = fn.result.miss === null ? [`${call()};`] : callInto();
      if (t.success === undefined) return [...lines, ...body, "return 0;"];
      const p = fn.params.find((q) => q.name === t.success);
      if (p === undefined) throw new Error(`${fn.name}: success value ${t.success} is not a parameter`);
      return [...lines, ...body, `return ${jsParams(p, fn)[0]};`];
    }
    case "bytesToMalloc": {
      // Implementations shared with the destination variant take a capacity: here anything fits.
      const out = t.out === undefined ? undefined : fn.params.find((p) => p.name === t.out);
      const outPtr = local("outPtr");
      if (out !== undefined) lines.push(`const ${outPtr} = ${decodeAddress(out, fn)};`, `checkRange(ctx.memory, ${outPtr}, 8, ${JSON.stringify(out.name)});`);
      lines.push(...callInto(["0xffffffff"]));
      if (t.emptyValue !== undefined) lines.push(`if (${r} === null) ${returnStatement(result, String(t.emptyValue))}`);
      const bytes = local("bytes");
      lines.push(`const ${bytes} = asBytes(${r});`);
      if (out === undefined) lines.push(`return returnHalves(ctx.wide, mallocCopy(ctx, ${bytes}), ${bytes}.length);`);
      else lines.push(`writeU64Words(ctx.memory, ${outPtr}, mallocCopy(ctx, ${bytes}), ${bytes}.length, ${JSON.stringify(out.name)});`, "return 0;");
      return lines;
    }
    case "u32":
    case "i32":
    case "u64":
    case "handle":
      if (fn.result.miss === null) return [...lines, returnStatement(result, call())];
      return [...lines, ...callInto(), returnStatement(result, r)];
    case "bool":
      return [...lines, ...callInto(), `return ${r} ? 1 : 0;`];
    case "scalarOrMalloc":
      return [
        ...lines,
        ...callInto(),
        `if (typeof ${r} !== "object") return returnWide(ctx.wide, ${r});`,
        `return returnHalves(ctx.wide, mallocCopy(ctx, ${r}), ${r}.length);`,
      ];
    case "bytesToDst": {
      const dst = fn.params.find((p) => p.name === t.dst);
      if (dst === undefined) throw new Error(`${fn.name}: result destination ${t.dst} is not a parameter`);
      let ptr: string;
      let len: string;
      if (dst.type.kind === "dst") {
        [ptr, len] = jsParams(dst, fn);
        lines.push(`${ptr} >>>= 0;`, `${len} >>>= 0;`);
      } else if (dst.type.kind === "outPtr") {
        ptr = local(`${dst.name}Ptr`);
        len = String(dst.type.size);
        lines.push(`const ${ptr} = ${decodeAddress(dst, fn)};`, `checkRange(ctx.memory, ${ptr}, ${len}, ${JSON.stringify(dst.name)});`);
      } else {
        throw new Error(`${fn.name}: result destination ${t.dst} is a ${dst.type.kind} parameter, not dst or outPtr`);
      }
      lines.push(...callInto([len]));
      if (t.emptyValue !== undefined) lines.push(`if (${r} === null) return ${t.emptyValue};`);
      const write = `writeInto(ctx.memory, ${ptr}, ${len}, ${r}, ${JSON.stringify(dst.name)})`;
      if (t.report === "count") lines.push(`return ${write};`);
      else lines.push(`${write};`, "return 0;");
      return lines;
    }
  }
}

/** The statements of a shim's catch block; the caught error is `e`. `fn` has safe names. */
export function shimCatchBody(fn: HostFn, e: string): string[] {
  return [`ctx.fail(${JSON.stringify(fn.name)}, ${e});`, ...errorAnswer(fn)];
}

/**
 * The shim factory of one variant. It returns the shim itself, a named
 * function that calls `impl.<name>` directly: no wrapper per call. The
 * igwasm/abi helpers and generated constants its body names are imported.
 */
function shimFactory(spec: AbiSpec, original: HostFn, imports: ImportSet): FunctionDeclarationStructure {
  const names = hostVariantNames(spec, original);
  const fn = withSafeNames(original);
  const local = localNames(fn);
  const tryBody = shimTryBody(fn, local);
  const e = local("e");
  const catchBody = shimCatchBody(fn, e);
  const code = [...tryBody, ...catchBody].join("\n");
  for (const helper of abiHelpersUsed(code)) imports.value(ABI_MODULE, helper);
  for (const name of constantsUsed(code)) imports.value(CONSTANTS_MODULE, name);
  const sig = jsSignature(fn);
  const params = sig.params.map((p) => `${p.name}: ${p.type}`).join(", ");
  return {
    kind: StructureKind.Function,
    isExported: true,
    name: names.shim,
    parameters: implAndContext(names.host),
    returnType: names.import,
    docs: [
      jsDoc(
        `${firstSentence(original.doc)}\n\nThe shim of \`${original.name}\` ${profilesNote(original)}, backed by \`impl\`: decodes the wire arguments, calls \`impl.${original.name}\` and encodes its result or its error.`,
        [traceTag(spec, original)],
      ),
    ],
    statements: [
      (writer: CodeBlockWriter) => {
        writer.write(`return function ${safeIdentifier(original.name, "ts")}(${params}): ${sig.result} `).inlineBlock(() => {
          writer.write("try ").inlineBlock(() => {
            for (const line of tryBody) writer.writeLine(line);
          });
          writer.write(` catch (${e}) `).inlineBlock(() => {
            for (const line of catchBody) writer.writeLine(line);
          });
          writer.newLine();
        });
        writer.write(";");
      },
    ],
  };
}

/** The three declarations of one variant: contract, JS signature, shim factory. */
function variantStatements(spec: AbiSpec, fn: HostFn, imports: ImportSet): Statement[] {
  const names = hostVariantNames(spec, fn);
  const factory = shimFactory(spec, fn, imports);
  const host: InterfaceDeclarationStructure = {
    kind: StructureKind.Interface,
    isExported: true,
    name: names.host,
    docs: [jsDoc(`What a host implements for \`${fn.name}\` ${profilesNote(fn)}. The implementation throws to fail the call; \`${names.shim}\` turns the error into the function's error convention.`)],
    methods: [hostMethod(spec, fn, imports)],
  };
  const wire: TypeAliasDeclarationStructure = {
    kind: StructureKind.TypeAlias,
    isExported: true,
    name: names.import,
    type: signatureText(jsSignature(withSafeNames(fn))),
    docs: [
      jsDoc(
        `\`${fn.name}\` ${profilesNote(fn)} as JS provides it: numbers only, each i64 of the module's signature split into two i32 halves (the profile's trampolines join them).`,
        [traceTag(spec, fn)],
      ),
    ],
  };
  return [host, wire, factory];
}

/** A plain comment (not JSDoc: it documents the file, not the next declaration) with the family's doc. */
function familyComment(family: Family): string {
  const doc = docText(family.doc);
  const text = `${family.title}: each function variant once, for the profiles to compose.${doc === "" ? "" : `\n\n${doc}`}`;
  return ["/*", ...text.split("\n").map((l) => (l === "" ? " *" : ` * ${l}`)), " */"].join("\n");
}

/** The shared declarations of one family: each of its variants once. */
export function emitHostShared(spec: AbiSpec, family: Family): GeneratedFile {
  const fns = spec.functions.filter((f) => f.family === family.name);
  const imports = new ImportSet(hostSharedPath(family));
  imports.type(SHIM_CONTEXT_MODULE, "ShimContext");
  const statements: Statement[] = [familyComment(family), ...fns.flatMap((fn) => variantStatements(spec, fn, imports))];
  return printTsFile(hostSharedPath(family), [familySource(family)], imports, statements);
}
