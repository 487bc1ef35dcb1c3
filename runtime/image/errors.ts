/** A gadget image (tarball, gadget.yaml, eBPF object) that cannot be read as IG would read it. */
export class ImageError extends Error {
  override readonly name = "ImageError";
}
