/** A gadget image or its metadata that cannot be read. */
export class ImageError extends Error {
  override readonly name = "ImageError";
}
