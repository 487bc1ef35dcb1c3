/**
 * Emits the host bindings, per era and family:
 *
 * - `generated/host/shared/<family>.ts` (host-shared.ts): each function
 *   variant once, as a one-method contract, its wire signature and its shim;
 * - `generated/host/<era>/<family>.ts`: the era's family composed from them:
 *   the typed contract an implementation satisfies (`<Era><Family>Host`),
 *   the wire-level import object (`<Era><Family>Imports`), and
 *   `create<Era><Family>Imports`, which backs each import with its shim;
 * - `generated/host/<era>/index.ts`: the era's whole contract
 *   (`<Era>HostImpl`), import object and factory, and its module names.
 *
 * Every decode, encode and error decision comes from codegen/lowering.ts.
 */
import {
  StructureKind,
  VariableDeclarationKind,
  type FunctionDeclarationStructure,
  type InterfaceDeclarationStructure,
  type TypeAliasDeclarationStructure,
  type VariableStatementStructure,
} from "ts-morph";
import type { GeneratedFile } from "../generated-file.js";
import { familiesOfEra, functionsOfEra } from "../model.js";
import type { AbiSpec, Era, Family } from "../model.js";
import {
  familyFileName,
  hostEraIndexPath,
  hostEraNames,
  hostFamilyNames,
  hostFamilyPath,
  hostSharedModule,
  hostVariantNames,
  SHARED_DIR,
  SHIM_CONTEXT_MODULE,
} from "./host-names.js";
import { emitHostShared } from "./host-shared.js";
import { familySource, firstSentence, ImportSet, jsDoc, literal, printTsFile, propertyKey, sectionSources, writeJsDoc, type Statement } from "./ts-print.js";

export {
  familyFileName,
  hostEraIndexPath,
  hostEraNames,
  hostFamilyNames,
  hostFamilyPath,
  hostSharedPath,
  hostVariantNames,
} from "./host-names.js";
export { emitHostShared, shimCatchBody, shimTryBody, withSafeNames } from "./host-shared.js";

/** `export interface <name> extends <bases> {}` with a doc comment (a structure would print the empty body on two lines). */
function composedInterface(name: string, bases: readonly string[], doc: string): Statement {
  return (writer) => {
    writeJsDoc(writer, doc);
    writer.write(`export interface ${name}${bases.length === 0 ? "" : ` extends ${bases.join(", ")}`} {}`);
  };
}

/** The bindings of one family in one era, composed from the family's shared variants. */
export function emitHostFamily(spec: AbiSpec, era: Era, family: Family): GeneratedFile {
  const fns = functionsOfEra(spec, era.id).filter((f) => f.family === family.name);
  const names = hostFamilyNames(era, family);
  const shared = hostSharedModule(family);
  const imports = new ImportSet(hostFamilyPath(era, family));
  imports.type(SHIM_CONTEXT_MODULE, "ShimContext");
  const variants = fns.map((fn) => {
    const v = hostVariantNames(spec, fn);
    imports.type(shared, v.host);
    imports.type(shared, v.import);
    imports.value(shared, v.shim);
    return { fn, ...v };
  });
  const summary = firstSentence(family.doc);
  const host = composedInterface(
    names.host,
    variants.map((v) => v.host),
    `${family.title} (era ${era.id}): what a host implements, one method per function. Implementations throw to fail a call; the shims of \`${names.create}\` turn the error into the function's error convention.${summary === "" ? "" : `\n\n${summary}`}`,
  );
  const wire = composedInterface(
    names.imports,
    variants.map((v) => v.import),
    `${family.title} (era ${era.id}) as the module imports them from \`${era.module}\`: wasm values only.`,
  );
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
          for (const v of variants) writer.writeLine(`${propertyKey(v.fn.name)}: ${v.shim}(impl, ctx),`);
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
  const imports = new ImportSet(hostEraIndexPath(era));
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

/**
 * Throws when two host declarations would share a name: the era files import
 * the shared names, and `generated/index.ts` re-exports every era's names.
 */
function checkNames(spec: AbiSpec): void {
  const owner = new Map<string, string>();
  const claim = (name: string, what: string): void => {
    const other = owner.get(name);
    if (other !== undefined) throw new Error(`host bindings: ${what} and ${other} are both named ${name}`);
    owner.set(name, what);
  };
  for (const fn of spec.functions) {
    const v = hostVariantNames(spec, fn);
    const what = `${fn.name} (${fn.eras.join(", ")})`;
    claim(v.host, what);
    claim(v.import, what);
    claim(v.shim, what);
  }
  for (const era of spec.eras) {
    if (era.id === SHARED_DIR) throw new Error(`host bindings: era id "${SHARED_DIR}" would share the directory of the shared declarations`);
    for (const name of Object.values(hostEraNames(era))) claim(name, `era ${era.id}`);
    for (const family of familiesOfEra(spec, era.id)) {
      for (const name of Object.values(hostFamilyNames(era, family))) claim(name, `${family.name} (era ${era.id})`);
    }
  }
}

/** Every host file: each family's shared variants, then per era each family's bindings and the era index. */
export function emitHost(spec: AbiSpec): GeneratedFile[] {
  checkNames(spec);
  const files: GeneratedFile[] = [];
  for (const family of spec.families) {
    if (spec.functions.some((f) => f.family === family.name)) files.push(emitHostShared(spec, family));
  }
  for (const era of spec.eras) {
    const families = familiesOfEra(spec, era.id);
    for (const family of families) files.push(emitHostFamily(spec, era, family));
    files.push(emitHostEraIndex(spec, era));
  }
  return files;
}
