/**
 * Emits `generated/host/descriptors.ts`: one frozen record per host function
 * variant and per guest export, in spec order (wazero-style descriptors, read
 * by tracing, linking and tests), a wire-name constant per distinct function
 * name (`FieldGetScalarName`), and each profile's import module names.
 */
import {
  StructureKind,
  VariableDeclarationKind,
  type CodeBlockWriter,
  type VariableStatementStructure,
  type WriterFunction,
} from "ts-morph";
import { codegenSymbols } from "../../runtime/codegen-symbols.js";
import { CONSTANTS_MODULE } from "./host-names.js";
import type { GeneratedFile } from "../generated-file.js";
import { paramTypeText, resultTypeText } from "../lowering.js";
import type { AbiSpec, ExportParamType, GuestExport, HostFn } from "../model.js";
import { pascalCase } from "../names.js";
import { allSources, ImportSet, jsDoc, literal, printTsFile, propertyKey, writeJsDoc, type Statement } from "./ts-print.js";

export const DESCRIPTORS_PATH = "host/descriptors.ts";

/** The module of the descriptor shapes, from the repository root. */
const ABI_DESCRIPTORS_MODULE = codegenSymbols.descriptors.module;


/** `fieldGetScalar` -> `FieldGetScalarName`. */
export function nameConstant(fnName: string): string {
  return `${pascalCase(fnName)}Name`;
}

function exportParamTypeText(type: ExportParamType): string {
  return type.kind === "handle" ? `handle<${type.handleType}>` : type.kind;
}

/**
 * The descriptor types, instantiated with the spec's profile ids and export
 * names; the shapes themselves are ordinary code in igwasm/abi
 * (runtime/abi/descriptors.ts).
 */
function typeAliases(): Statement[] {
  return [
    (writer) => {
      writeJsDoc(writer, "One variant of a host function of this spec (igwasm/abi `HostFnDescriptorOf`).");
      writer.write("export type HostFnDescriptor = HostFnDescriptorOf<ProfileId>;");
    },
    (writer) => {
      writeJsDoc(writer, "A function a module of this spec exports (igwasm/abi `GuestExportDescriptorOf`).");
      writer.write("export type GuestExportDescriptor = GuestExportDescriptorOf<ProfileId, GuestExportName, GuestExportRole>;");
    },
    "export type { ProfileModuleDescriptor };",
  ];
}

function nameConstants(spec: AbiSpec): VariableStatementStructure[] {
  const seen = new Map<string, HostFn[]>();
  for (const fn of spec.functions) {
    const variants = seen.get(fn.name);
    if (variants === undefined) seen.set(fn.name, [fn]);
    else variants.push(fn);
  }
  return [...seen.entries()].map(([name, variants]) => {
    const profiles = spec.profiles.filter((e) => variants.some((v) => v.profiles.includes(e.id))).map((e) => e.id);
    return {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{ kind: StructureKind.VariableDeclaration, name: nameConstant(name), initializer: JSON.stringify(name) }],
      docs: [jsDoc(`Wire name of the host function \`${name}\` (${profiles.join(", ")}).`)],
    };
  });
}

function writeList<T>(writer: CodeBlockWriter, items: readonly T[], writeItem: (item: T) => void): void {
  writer.write("[").newLine();
  writer.indent(() => {
    for (const item of items) writeItem(item);
  });
  writer.write("]");
}

function writeHostFn(writer: CodeBlockWriter, fn: HostFn): void {
  const e = fn.result.error;
  const error = e.kind === "none" ? { kind: "none" } : e.kind === "value" ? { kind: "value", value: e.value } : { kind: "errPtr", param: e.param };
  writer.write("{").newLine();
  writer.indent(() => {
    writer.writeLine(`name: ${nameConstant(fn.name)},`);
    writer.writeLine(`family: ${JSON.stringify(fn.family)},`);
    writer.writeLine(`profiles: ${literal(fn.profiles)},`);
    if (fn.params.length === 0) writer.writeLine("params: [],");
    else {
      writer.write("params: ");
      writeList(writer, fn.params, (p) => writer.writeLine(`${literal({ name: p.name, type: paramTypeText(p.type), wire: p.wire })},`));
      writer.write(",").newLine();
    }
    writer.writeLine(`result: ${literal({ type: resultTypeText(fn.result.type), wire: fn.result.wire })},`);
    writer.writeLine(`error: ${literal(error)},`);
  });
  writer.write("},").newLine();
}

function writeGuestExport(writer: CodeBlockWriter, ex: GuestExport): void {
  writer.write("{").newLine();
  writer.indent(() => {
    writer.writeLine(`name: ${JSON.stringify(ex.name)},`);
    writer.writeLine(`role: ${literal(ex.role)},`);
    writer.writeLine(`profiles: ${literal(ex.profiles)},`);
    writer.writeLine(`required: ${ex.required},`);
    if (ex.params.length === 0) writer.writeLine("params: [],");
    else {
      writer.write("params: ");
      writeList(writer, ex.params, (p) => writer.writeLine(`${literal({ name: p.name, type: exportParamTypeText(p.type), wire: p.wire })},`));
      writer.write(",").newLine();
    }
    writer.writeLine(`result: ${literal({ wire: ex.result.wire })},`);
  });
  writer.write("},").newLine();
}

/** `export const name: type = deepFreeze<type>(value);`, written by hand so the value keeps its own indentation. */
function frozenConst(name: string, type: string, doc: string, writeValue: (writer: CodeBlockWriter) => void): WriterFunction {
  return (writer) => {
    writeJsDoc(writer, doc);
    writer.write(`export const ${name}: ${type} = deepFreeze<${type}>(`);
    writeValue(writer);
    writer.write(");").newLine();
  };
}

export function emitDescriptors(spec: AbiSpec): GeneratedFile[] {
  const imports = new ImportSet(DESCRIPTORS_PATH);
  imports.type(CONSTANTS_MODULE, "ProfileId");
  imports.type(CONSTANTS_MODULE, "GuestExportName");
  imports.type(CONSTANTS_MODULE, "GuestExportRole");
  for (const name of ["HostFnDescriptorOf", "GuestExportDescriptorOf", "ProfileModuleDescriptor"]) imports.type(ABI_DESCRIPTORS_MODULE, name);
  imports.value(ABI_DESCRIPTORS_MODULE, "deepFreeze");
  imports.value(ABI_DESCRIPTORS_MODULE, "ofProfile");
  const profileModulesType = "Readonly<Record<ProfileId, ProfileModuleDescriptor>>";
  const statements: Statement[] = [
    ...typeAliases(),
    ...nameConstants(spec),
    frozenConst("hostFunctions", "readonly HostFnDescriptor[]", "Every host function variant, families in spec order, functions in file order.", (writer) =>
      writeList(writer, spec.functions, (fn) => writeHostFn(writer, fn)),
    ),
    frozenConst("guestExports", "readonly GuestExportDescriptor[]", "Every function a module may export, in spec order.", (writer) =>
      writeList(writer, spec.exports, (ex) => writeGuestExport(writer, ex)),
    ),
    frozenConst("profileModules", profileModulesType, "The import module of each profile, and other module names some of its builds use.", (writer) => {
      writer.write("{").newLine();
      writer.indent(() => {
        for (const profile of spec.profiles) {
          writer.writeLine(`${propertyKey(profile.id)}: ${literal({ module: profile.module, releases: profile.releases })},`);
        }
      });
      writer.write("}");
    }),
    {
      kind: StructureKind.Function,
      isExported: true,
      name: "hostFunctionsOfProfile",
      parameters: [{ name: "profile", type: "ProfileId" }],
      returnType: "readonly HostFnDescriptor[]",
      docs: [jsDoc("The host functions an profile offers, in spec order.")],
      statements: ["return ofProfile(hostFunctions, profile);"],
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      name: "guestExportsOfProfile",
      parameters: [{ name: "profile", type: "ProfileId" }],
      returnType: "readonly GuestExportDescriptor[]",
      docs: [jsDoc("The functions a module of an profile may export, in spec order.")],
      statements: ["return ofProfile(guestExports, profile);"],
    },
  ];
  return [printTsFile(DESCRIPTORS_PATH, allSources(spec), imports, statements)];
}
