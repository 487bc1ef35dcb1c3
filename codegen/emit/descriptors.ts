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
  type FunctionDeclarationStructure,
  type InterfaceDeclarationStructure,
  type VariableStatementStructure,
  type WriterFunction,
} from "ts-morph";
import { CONSTANTS_MODULE } from "./host-names.js";
import type { GeneratedFile } from "../generated-file.js";
import { paramTypeText, resultTypeText } from "../lowering.js";
import type { AbiSpec, ExportParamType, GuestExport, HostFn } from "../model.js";
import { pascalCase } from "../names.js";
import { allSources, ImportSet, jsDoc, literal, printTsFile, propertyKey, writeJsDoc, type Statement } from "./ts-print.js";

export const DESCRIPTORS_PATH = "host/descriptors.ts";


/** `fieldGetScalar` -> `FieldGetScalarName`. */
export function nameConstant(fnName: string): string {
  return `${pascalCase(fnName)}Name`;
}

function exportParamTypeText(type: ExportParamType): string {
  return type.kind === "handle" ? `handle<${type.handleType}>` : type.kind;
}

const WIRE = `"i32" | "i64"`;

const PARAM_TYPE = `{ readonly name: string; readonly type: string; readonly wire: ${WIRE} }`;

function interfaces(): InterfaceDeclarationStructure[] {
  return [
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: "HostFnDescriptor",
      docs: [jsDoc("One variant of a host function: its wire name, the profiles that offer it, and its parameters, result and error convention as the spec states them.")],
      properties: [
        { name: "name", isReadonly: true, type: "string", docs: [jsDoc("Wire name, verbatim.")] },
        { name: "family", isReadonly: true, type: "string", docs: [jsDoc("Family the function belongs to.")] },
        { name: "profiles", isReadonly: true, type: "readonly ProfileId[]", docs: [jsDoc("Profiles that offer this variant.")] },
        {
          name: "params",
          isReadonly: true,
          type: `readonly ${PARAM_TYPE}[]`,
          docs: [jsDoc("Parameters in wire order; `type` as the spec writes it (`handle<Field>`, `str`, ...).")],
        },
        {
          name: "result",
          isReadonly: true,
          type: `{ readonly type: string; readonly wire: ${WIRE} | null }`,
          docs: [jsDoc("Result meaning as the spec writes it and its wire type (null: none).")],
        },
        {
          name: "error",
          isReadonly: true,
          type: `{ readonly kind: "none" } | { readonly kind: "value"; readonly value: number } | { readonly kind: "errPtr"; readonly param: string }`,
          docs: [jsDoc("How the function reports an error: not at all, by a return value, or through an error word parameter.")],
        },
      ],
    },
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: "ProfileModuleDescriptor",
      docs: [jsDoc("Where a module of an profile imports host functions from.")],
      properties: [
        { name: "module", isReadonly: true, type: "string", docs: [jsDoc("The import module name.")] },
        { name: "releases", isReadonly: true, type: "readonly string[]", docs: [jsDoc("The IG releases of the profile, oldest first.")] },
      ],
    },
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: "GuestExportDescriptor",
      docs: [jsDoc("A function a module exports for the host to call.")],
      properties: [
        { name: "name", isReadonly: true, type: "GuestExportName" },
        { name: "role", isReadonly: true, type: "GuestExportRole | null", docs: [jsDoc("What the host calls it for; no two exports of one profile share a role.")] },
        { name: "profiles", isReadonly: true, type: "readonly ProfileId[]" },
        { name: "required", isReadonly: true, type: "boolean", docs: [jsDoc("Whether a module of these profiles must export it.")] },
        { name: "params", isReadonly: true, type: `readonly ${PARAM_TYPE}[]` },
        { name: "result", isReadonly: true, type: `{ readonly wire: ${WIRE} | null }` },
      ],
    },
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

/** `export const name: type = __deepFreeze<type>(value);`, written by hand so the value keeps its own indentation. */
function frozenConst(name: string, type: string, doc: string, writeValue: (writer: CodeBlockWriter) => void): WriterFunction {
  return (writer) => {
    writeJsDoc(writer, doc);
    writer.write(`export const ${name}: ${type} = __deepFreeze<${type}>(`);
    writeValue(writer);
    writer.write(");").newLine();
  };
}

const DEEP_FREEZE: FunctionDeclarationStructure = {
  kind: StructureKind.Function,
  name: "__deepFreeze",
  typeParameters: ["T"],
  parameters: [{ name: "value", type: "T" }],
  returnType: "T",
  docs: [jsDoc("Freezes a descriptor and everything in it.")],
  statements: [
    `if (typeof value === "object" && value !== null) {
  for (const v of Object.values(value)) __deepFreeze(v);
  Object.freeze(value);
}
return value;`,
  ],
};

export function emitDescriptors(spec: AbiSpec): GeneratedFile[] {
  const imports = new ImportSet(DESCRIPTORS_PATH);
  imports.type(CONSTANTS_MODULE, "ProfileId");
  imports.type(CONSTANTS_MODULE, "GuestExportName");
  imports.type(CONSTANTS_MODULE, "GuestExportRole");
  const profileModulesType = "Readonly<Record<ProfileId, ProfileModuleDescriptor>>";
  const statements: Statement[] = [
    ...interfaces(),
    ...nameConstants(spec),
    DEEP_FREEZE,
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
      statements: ["return hostFunctions.filter((f) => f.profiles.includes(profile));"],
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      name: "guestExportsOfProfile",
      parameters: [{ name: "profile", type: "ProfileId" }],
      returnType: "readonly GuestExportDescriptor[]",
      docs: [jsDoc("The functions a module of an profile may export, in spec order.")],
      statements: ["return guestExports.filter((e) => e.profiles.includes(profile));"],
    },
  ];
  return [printTsFile(DESCRIPTORS_PATH, allSources(spec), imports, statements)];
}
