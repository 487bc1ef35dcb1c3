/**
 * Identifier safety per target language. A spec name that is a keyword of the
 * target (a parameter called `type`, `default`, `int`, ...) gets a fixed `_`
 * suffix, the same way everywhere, so output stays deterministic and a clash
 * can never silently shadow something.
 */
export type Target = "ts" | "as" | "c";

const TS_RESERVED = [
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
  "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof",
  "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void",
  "while", "with", "implements", "interface", "let", "package", "private", "protected", "public",
  "static", "yield", "await", "arguments", "eval",
  // names the generated shims use for their own locals
  "ctx", "impl",
];

// AssemblyScript reserves TypeScript's words plus its own type names.
const AS_RESERVED = [
  ...TS_RESERVED, "type", "namespace", "declare", "abstract", "as", "is", "module", "readonly", "of",
  "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64", "bool", "isize", "usize", "v128",
  "string", "number", "boolean", "object", "symbol", "any", "never", "unknown",
];

const C_RESERVED = [
  "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern",
  "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed",
  "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while",
  "bool", "true", "false", "_Bool", "_Complex", "_Imaginary", "alignas", "alignof", "static_assert",
  "uint8_t", "uint16_t", "uint32_t", "uint64_t", "int8_t", "int16_t", "int32_t", "int64_t", "size_t",
];

const RESERVED: Record<Target, ReadonlySet<string>> = {
  ts: new Set(TS_RESERVED),
  as: new Set(AS_RESERVED),
  c: new Set(C_RESERVED),
};

export function isReserved(name: string, target: Target): boolean {
  return RESERVED[target].has(name);
}

/** `name`, or `name_` when it is reserved in the target language. */
export function safeIdentifier(name: string, target: Target): string {
  return isReserved(name, target) ? `${name}_` : name;
}

/** `fieldGetScalar` -> `FieldGetScalar`; `env-v1` -> `EnvV1`. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join("");
}
