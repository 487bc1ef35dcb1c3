/** One file the generator writes, relative to the output directory (POSIX separators). */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}
