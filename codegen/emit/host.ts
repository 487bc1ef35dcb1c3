/**
 * Emits the host bindings, per era and family:
 *
 * - `generated/host/<era>/<family>.ts`: the typed contract an implementation
 *   satisfies (`<Era><Family>Host`), the wire-level import object
 *   (`<Era><Family>Imports`), and `create<Era><Family>Imports`, whose shims
 *   decode wire arguments, call the implementation and encode its result or
 *   its error;
 * - `generated/host/<era>/index.ts`: the era's whole contract
 *   (`<Era>HostImpl`), import object and factory, and its module names.
 *
 * Every decode, encode and error decision comes from codegen/lowering.ts.
 */
import {
  StructureKind,
  VariableDeclarationKind,
  type CodeBlockWriter,
  type FunctionDeclarationStructure,
  type InterfaceDeclarationStructure,
  type MethodSignatureStructure,
  type OptionalKind,
  type TypeAliasDeclarationStructure,
  type VariableStatementStructure,
} from "ts-morph";
import type { GeneratedFile } from "../generated-file.js";
import {
  CAPACITY_PARAM,
  hasCapacityParam,
  decodeParam,
  describeErrorConv,
  errorReturnValue,
  interfaceParamType,
  interfaceResultType,
  isInterfaceParam,
  signatureTrace,
  wireTsType,
} from "../lowering.js";
import { familiesOfEra, functionsOfEra } from "../model.js";
import type { AbiSpec, Era, Family, HostFn, Param, ParamType } from "../model.js";
import { pascalCase, safeIdentifier } from "../names.js";
import {
  familySource,
  firstSentence,
  ImportSet,
  jsDoc,
  literal,
  printTsFile,
  sectionSources,
  tag,
  writeJsDoc,
  type Statement,
} from "./ts-print.js";

/** Import paths as seen from `generated/host/<era>/`. */
const SHIM_CONTEXT_MODULE = "../../../runtime/shim-context.js";
const TYPES_MODULE = "../../types.js";
const CONSTANTS_MODULE = "../../constants.js";

/** File name (without extension) of a family's bindings: `dataSource` -> `datasource`. */
export function familyFileName(family: Family): string {
  return family.name.toLowerCase();
}

export function hostFamilyPath(era: Era, family: Family): string {
  return `host/${era.id}/${familyFileName(family)}.ts`;
}

export function hostEraIndexPath(era: Era): string {
  return `host/${era.id}/index.ts`;
}

/** Names of the declarations of one era's family file. */
export function hostFamilyNames(era: Era, family: Family): { host: string; imports: string; create: string } {
  const base = `${era.pascal}${pascalCase(family.name)}`;
  return { host: `${base}Host`, imports: `${base}Imports`, create: `create${base}Imports` };
}

/** Names of the declarations of one era's index file. */
export function hostEraNames(era: Era): { impl: string; imports: string; create: string; module: string; extraModules: string } {
  return {
    impl: `${era.pascal}HostImpl`,
    imports: `${era.pascal}Imports`,
    create: `create${era.pascal}Imports`,
    module: `${era.pascal}Module`,
    extraModules: `${era.pascal}ExtraModules`,
  };
}

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
      type: t.kind === "bytesToDst" ? { ...t, dst: safe(t.dst) } : t,
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
    default:
      return doc === "" ? undefined : doc;
  }
}

function hostMethod(spec: AbiSpec, era: Era, fn: HostFn, imports: ImportSet): OptionalKind<MethodSignatureStructure> {
  const params = fn.params.filter(isInterfaceParam);
  const tags = params.map((p) => tag("param", `${safeIdentifier(p.name, "ts")} ${p.doc.trim()}`.trimEnd()));
  const returns = returnsTag(fn);
  if (returns !== undefined) tags.push(tag("returns", returns));
  tags.push(tag("throws", `Any error fails the call. ${describeErrorConv(fn.result.error, fn.result)}`));
  tags.push(tag("generated", `from ${signatureTrace(fn, era.module)}`));
  const resultType = interfaceResultType(fn.result.type);
  if (fn.result.type.kind === "handle") imports.type(TYPES_MODULE, resultType);
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

function importsMethod(era: Era, fn: HostFn): OptionalKind<MethodSignatureStructure> {
  return {
    name: fn.name,
    docs: [jsDoc(firstSentence(fn.doc), [tag("generated", `from ${signatureTrace(fn, era.module)}`)])],
    parameters: fn.params.map((p) => ({ name: safeIdentifier(p.name, "ts"), type: wireTsType(p.wire) })),
    returnType: wireTsType(fn.result.wire),
  };
}

/** Allocates shim-local names that cannot shadow a parameter. */
function localNames(fn: HostFn): (base: string) => string {
  const taken = new Set(fn.params.map((p) => p.name));
  return (base) => {
    let name = base;
    while (taken.has(name)) name += "_";
    taken.add(name);
    return name;
  };
}

/** A wire pointer parameter as a number. */
function pointerExpr(p: Param): string {
  return p.wire === "i64" ? `ctx.u64ToNumber(${p.name})` : `${p.name} >>> 0`;
}

/** The statements of a shim's try block. `fn` has safe names. */
export function shimTryBody(fn: HostFn, local: (base: string) => string): string[] {
  const args = fn.params.filter(isInterfaceParam).map((p) => decodeParam(p, fn));
  const call = `impl.${fn.name}(${args.join(", ")})`;
  const t = fn.result.type;
  switch (t.kind) {
    case "none":
      return [`${call};`];
    case "status":
      return [`${call};`, "return 0;"];
    case "u32":
    case "i32":
    case "u64":
    case "handle":
      return [`return ${call};`];
    case "bool":
      return [`return ${call} ? 1 : 0;`];
    case "scalarOrMalloc": {
      const r = local("r");
      return [`const ${r} = ${call};`, `return typeof ${r} === "bigint" ? ${r} : ctx.mallocCopy(${r});`];
    }
    case "bytesToDst": {
      const dst = fn.params.find((p) => p.name === t.dst);
      if (dst === undefined) throw new Error(`${fn.name}: result destination ${t.dst} is not a parameter`);
      const lines: string[] = [];
      const ptr = local(`${dst.name}Ptr`);
      let len: string;
      if (dst.type.kind === "dst") {
        len = local(`${dst.name}Len`);
        lines.push(`const ${ptr} = ctx.mem.span(${dst.name}, ${JSON.stringify(dst.name)});`, `const ${len} = ctx.mem.len;`);
      } else if (dst.type.kind === "outPtr") {
        len = String(dst.type.size);
        lines.push(`const ${ptr} = ${pointerExpr(dst)};`, `ctx.mem.check(${ptr}, ${len}, ${JSON.stringify(dst.name)});`);
      } else {
        throw new Error(`${fn.name}: result destination ${t.dst} is a ${dst.type.kind} parameter, not dst or outPtr`);
      }
      const r = local("r");
      lines.push(`const ${r} = impl.${fn.name}(${[...args, len].join(", ")});`);
      if (t.emptyValue !== undefined) lines.push(`if (${r} === null) return ${t.emptyValue};`);
      const write = `ctx.mem.writeInto(${ptr}, ${len}, ${r}, ${JSON.stringify(dst.name)})`;
      if (t.report === "count") {
        lines.push(`return ${write};`);
      } else {
        lines.push(`${write};`, "return 0;");
      }
      return lines;
    }
  }
}

/** The statements of a shim's catch block; the caught error is `e`. `fn` has safe names. */
export function shimCatchBody(fn: HostFn, e: string): string[] {
  const lines = [`ctx.fail(${JSON.stringify(fn.name)}, ${e});`];
  const error = fn.result.error;
  if (error.kind === "errPtr") {
    const p = fn.params.find((q) => q.name === error.param);
    if (p === undefined) throw new Error(`${fn.name}: error word ${error.param} is not a parameter`);
    lines.push(`ctx.setErrorWord(${pointerExpr(p)});`);
  }
  const ret = errorReturnValue(fn.result);
  if (ret !== null) lines.push(`return ${ret};`);
  return lines;
}

function writeShim(writer: CodeBlockWriter, era: Era, original: HostFn): void {
  const fn = withSafeNames(original);
  const local = localNames(fn);
  const tryBody = shimTryBody(fn, local);
  const e = local("e");
  const catchBody = shimCatchBody(fn, e);
  writeJsDoc(writer, firstSentence(original.doc), [{ tagName: "generated", text: `from ${signatureTrace(original, era.module)}` }]);
  const params = fn.params.map((p) => `${p.name}: ${wireTsType(p.wire)}`).join(", ");
  writer.write(`${fn.name}(${params}): ${wireTsType(fn.result.wire)} `).inlineBlock(() => {
    writer.write("try ").inlineBlock(() => {
      for (const line of tryBody) writer.writeLine(line);
    });
    writer.write(` catch (${e}) `).inlineBlock(() => {
      for (const line of catchBody) writer.writeLine(line);
    });
    writer.newLine();
  });
  writer.write(",").newLine();
}

/** The bindings of one family in one era. */
export function emitHostFamily(spec: AbiSpec, era: Era, family: Family): GeneratedFile {
  const fns = functionsOfEra(spec, era.id).filter((f) => f.family === family.name);
  const names = hostFamilyNames(era, family);
  const imports = new ImportSet();
  imports.type(SHIM_CONTEXT_MODULE, "ShimContext");
  const host: InterfaceDeclarationStructure = {
    kind: StructureKind.Interface,
    isExported: true,
    name: names.host,
    docs: [
      jsDoc(
        `${family.title} (era ${era.id}): what a host implements. Implementations throw to fail a call; the shims of \`${names.create}\` turn the error into the function's error convention.\n\n${family.doc.trim()}`,
      ),
    ],
    methods: fns.map((fn) => hostMethod(spec, era, fn, imports)),
  };
  const wire: InterfaceDeclarationStructure = {
    kind: StructureKind.Interface,
    isExported: true,
    name: names.imports,
    docs: [jsDoc(`${family.title} (era ${era.id}) as the module imports them from \`${era.module}\`: wasm values only.`)],
    methods: fns.map((fn) => importsMethod(era, fn)),
  };
  const create: FunctionDeclarationStructure = {
    kind: StructureKind.Function,
    isExported: true,
    name: names.create,
    parameters: [
      { name: "impl", type: names.host },
      { name: "ctx", type: "ShimContext" },
    ],
    returnType: names.imports,
    docs: [jsDoc(`The import functions of ${family.title.toLowerCase()} (era ${era.id}), backed by \`impl\`.`)],
    statements: [
      (writer) => {
        writer.write("return").space().inlineBlock(() => {
          fns.forEach((fn) => writeShim(writer, era, fn));
        });
        writer.write(";");
      },
    ],
  };
  return printTsFile(hostFamilyPath(era, family), [familySource(family)], imports, [host, wire, create]);
}

/** The index of one era: the whole contract, import object, factory and module names. */
export function emitHostEraIndex(spec: AbiSpec, era: Era): GeneratedFile {
  const families = familiesOfEra(spec, era.id);
  const names = hostEraNames(era);
  const imports = new ImportSet();
  imports.type(SHIM_CONTEXT_MODULE, "ShimContext");
  const statements: Statement[] = families.map((family) => ({
    kind: StructureKind.ExportDeclaration,
    moduleSpecifier: `./${familyFileName(family)}.js`,
  }));
  const perFamily = families.map((family) => {
    const fam = hostFamilyNames(era, family);
    const module = `./${familyFileName(family)}.js`;
    imports.type(module, fam.host);
    imports.type(module, fam.imports);
    imports.value(module, fam.create);
    return { family, ...fam };
  });
  const impl: InterfaceDeclarationStructure = {
    kind: StructureKind.Interface,
    isExported: true,
    name: names.impl,
    docs: [jsDoc(`Everything a host implements for modules of era \`${era.id}\`, one member per family.`)],
    properties: perFamily.map((f) => ({
      name: f.family.name,
      isReadonly: true,
      type: f.host,
      docs: [jsDoc(f.family.title)],
    })),
  };
  const wire: TypeAliasDeclarationStructure = {
    kind: StructureKind.TypeAlias,
    isExported: true,
    name: names.imports,
    type: perFamily.length === 0 ? "{}" : perFamily.map((f) => f.imports).join(" & "),
    docs: [jsDoc(`Every function a module of era \`${era.id}\` may import from \`${era.module}\`.`)],
  };
  const create: FunctionDeclarationStructure = {
    kind: StructureKind.Function,
    isExported: true,
    name: names.create,
    parameters: [
      { name: "impl", type: names.impl },
      { name: "ctx", type: "ShimContext" },
    ],
    returnType: names.imports,
    docs: [jsDoc(`The import functions of era \`${era.id}\`, backed by \`impl\`: pass the result as the \`${era.module}\` import module.`)],
    statements: [
      (writer) => {
        writer.write("return").space().inlineBlock(() => {
          for (const f of perFamily) writer.writeLine(`...${f.create}(impl.${f.family.name}, ctx),`);
        });
        writer.write(";");
      },
    ],
  };
  const moduleConst: VariableStatementStructure = {
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{ kind: StructureKind.VariableDeclaration, name: names.module, initializer: JSON.stringify(era.module) }],
    docs: [jsDoc(`The module that modules of era \`${era.id}\` import host functions from.`)],
  };
  const extra: VariableStatementStructure = {
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    declarations: [
      { kind: StructureKind.VariableDeclaration, name: names.extraModules, type: "readonly string[]", initializer: literal(era.extraModules) },
    ],
    docs: [jsDoc(`Other modules some builds of era \`${era.id}\` import the same functions from.`)],
  };
  statements.push(impl, wire, create, moduleConst, extra);
  const sources = [...sectionSources(spec, "abi"), ...families.map(familySource)];
  return printTsFile(hostEraIndexPath(era), sources, imports, statements);
}

/** Every per-era host file: each family's bindings and the era index. */
export function emitHost(spec: AbiSpec): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const era of spec.eras) {
    const families = familiesOfEra(spec, era.id);
    for (const family of families) files.push(emitHostFamily(spec, era, family));
    files.push(emitHostEraIndex(spec, era));
  }
  return files;
}
