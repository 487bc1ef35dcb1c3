/**
 * Emits the host bindings, per profile and family:
 *
 * - `generated/host/shared/<family>.ts` (host-shared.ts): each function
 *   variant once, as a one-method contract, its wire signature and its shim;
 * - `generated/host/<profile>/<family>.ts`: the profile's family composed from them:
 *   the typed contract an implementation satisfies (`<Profile><Family>Host`),
 *   the wire-level import object (`<Profile><Family>Imports`), and
 *   `create<Profile><Family>Imports`, which backs each import with its shim;
 * - `generated/host/<profile>/index.ts`: the profile's whole contract
 *   (`<Profile>HostImpl`), import object and factory, and its module names.
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
import { familiesOfProfile, functionsOfProfile } from "../model.js";
import type { AbiSpec, Profile, Family } from "../model.js";
import {
  familyFileName,
  hostProfileIndexPath,
  hostProfileNames,
  hostFamilyNames,
  hostFamilyPath,
  hostSharedModule,
  hostVariantNames,
  implAndContext,
  ABI_MODULE,
  SHARED_DIR,
  SHIM_CONTEXT_MODULE,
} from "./host-names.js";
import { emitHostShared } from "./host-shared.js";
import { emitTrampolines, trampolinesName } from "./trampolines.js";
import { familySource, firstSentence, ImportSet, jsDoc, literal, printTsFile, propertyKey, sectionSources, writeJsDoc, type Statement } from "./ts-print.js";

export {
  familyFileName,
  hostProfileIndexPath,
  hostProfileNames,
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

/** The bindings of one family in one profile, composed from the family's shared variants. */
export function emitHostFamily(spec: AbiSpec, profile: Profile, family: Family): GeneratedFile {
  const fns = functionsOfProfile(spec, profile.id).filter((f) => f.family === family.name);
  const names = hostFamilyNames(profile, family);
  const shared = hostSharedModule(family);
  const imports = new ImportSet(hostFamilyPath(profile, family));
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
    `${family.title} (profile ${profile.id}): what a host implements, one method per function. Implementations throw to fail a call; the shims of \`${names.create}\` turn the error into the function's error convention.${summary === "" ? "" : `\n\n${summary}`}`,
  );
  // A type alias of an object type, not an interface: assignable to WebAssembly.ModuleImports as it is.
  const wire: Statement = (writer) => {
    writeJsDoc(
      writer,
      `${family.title} (profile ${profile.id}) as JS provides them: give them to \`bindTrampolines\` with \`${trampolinesName(profile)}\` for a module importing from \`${profile.module}\`.`,
    );
    writer.writeLine(`export type ${names.imports} = {`);
    for (const v of variants) writer.writeLine(`  readonly ${propertyKey(v.fn.name)}: ${v.import};`);
    writer.write("};");
  };
  const create: FunctionDeclarationStructure = {
    kind: StructureKind.Function,
    isExported: true,
    name: names.create,
    parameters: implAndContext(names.host),
    returnType: names.imports,
    docs: [jsDoc(`The import functions of ${family.title.toLowerCase()} (profile ${profile.id}), backed by \`impl\`.`)],
    statements: [
      (writer) => {
        writer.write("return").space().inlineBlock(() => {
          for (const v of variants) writer.writeLine(`${propertyKey(v.fn.name)}: ${v.shim}(impl, ctx),`);
        });
        writer.write(";");
      },
    ],
  };
  return printTsFile(hostFamilyPath(profile, family), [familySource(family)], imports, [host, wire, create]);
}

/** The index of one profile: the whole contract, import object, factory and module names. */
export function emitHostProfileIndex(spec: AbiSpec, profile: Profile): GeneratedFile {
  const families = familiesOfProfile(spec, profile.id);
  const names = hostProfileNames(profile);
  const imports = new ImportSet(hostProfileIndexPath(profile));
  imports.type(SHIM_CONTEXT_MODULE, "ShimContext");
  const statements: Statement[] = [...families.map((family) => `./${familyFileName(family)}.js`), "./trampolines.js"].map((moduleSpecifier) => ({
    kind: StructureKind.ExportDeclaration,
    moduleSpecifier,
  }));
  imports.value("./trampolines.js", trampolinesName(profile));
  imports.value(ABI_MODULE, "bindTrampolines");
  const perFamily = families.map((family) => {
    const fam = hostFamilyNames(profile, family);
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
    docs: [jsDoc(`Everything a host implements for modules of profile \`${profile.id}\`, one member per family.`)],
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
    docs: [jsDoc(`Every function a module of profile \`${profile.id}\` may import from \`${profile.module}\`.`)],
  };
  const create: FunctionDeclarationStructure = {
    kind: StructureKind.Function,
    isExported: true,
    name: names.create,
    parameters: implAndContext(names.impl),
    returnType: names.imports,
    docs: [jsDoc(`The import functions of profile \`${profile.id}\`, backed by \`impl\`: pass the result as the \`${profile.module}\` import module.`)],
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
    declarations: [{ kind: StructureKind.VariableDeclaration, name: names.module, initializer: JSON.stringify(profile.module) }],
    docs: [jsDoc(`The module that modules of profile \`${profile.id}\` import host functions from.`)],
  };
  const releases: VariableStatementStructure = {
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    declarations: [
      { kind: StructureKind.VariableDeclaration, name: names.releases, type: "readonly string[]", initializer: literal(profile.releases) },
    ],
    docs: [jsDoc(`The IG releases of profile \`${profile.id}\`, oldest first.`)],
  };
  const link: FunctionDeclarationStructure = {
    kind: StructureKind.Function,
    isExported: true,
    name: names.link,
    parameters: implAndContext(names.impl),
    returnType: "WebAssembly.ModuleImports",
    docs: [
      jsDoc(
        `What a module of profile \`${profile.id}\` imports from \`${profile.module}\`, backed by \`impl\`: the shims of \`${names.create}\` behind the profile's trampolines (no BigInt on any call).`,
      ),
    ],
    statements: [`return bindTrampolines(${trampolinesName(profile)}, ${names.create}(impl, ctx), ctx.wide);`],
  };
  statements.push(impl, wire, create, link, moduleConst, releases);
  const sources = [...sectionSources(spec, "abi"), ...families.map(familySource)];
  return printTsFile(hostProfileIndexPath(profile), sources, imports, statements);
}

/**
 * Throws when two host declarations would share a name: the profile files import
 * the shared names, and `generated/index.ts` re-exports every profile's names.
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
    const what = `${fn.name} (${fn.profiles.join(", ")})`;
    claim(v.host, what);
    claim(v.import, what);
    claim(v.shim, what);
  }
  for (const profile of spec.profiles) {
    if (profile.id === SHARED_DIR) throw new Error(`host bindings: profile id "${SHARED_DIR}" would share the directory of the shared declarations`);
    for (const name of Object.values(hostProfileNames(profile))) claim(name, `profile ${profile.id}`);
    for (const family of familiesOfProfile(spec, profile.id)) {
      for (const name of Object.values(hostFamilyNames(profile, family))) claim(name, `${family.name} (profile ${profile.id})`);
    }
  }
}

/** Every host file: each family's shared variants, then per profile each family's bindings and the profile index. */
export function emitHost(spec: AbiSpec): GeneratedFile[] {
  checkNames(spec);
  const files: GeneratedFile[] = [];
  for (const family of spec.families) {
    if (spec.functions.some((f) => f.family === family.name)) files.push(emitHostShared(spec, family));
  }
  for (const profile of spec.profiles) {
    const families = familiesOfProfile(spec, profile.id);
    for (const family of families) files.push(emitHostFamily(spec, profile, family));
    files.push(emitTrampolines(spec, profile));
    files.push(emitHostProfileIndex(spec, profile));
  }
  return files;
}
