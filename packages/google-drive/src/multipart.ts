/**
 * The `multipart/related` body of a Drive `uploadType=multipart` upload: a
 * JSON metadata part, then the media part, as raw bytes (never re-encoded).
 * Built apart from any request so a test can inspect it.
 *
 * @see https://developers.google.com/workspace/drive/api/guides/manage-uploads#multipart
 */
import { randomBytes } from "node:crypto";

/**
 * A multipart body and the `Content-Type` header that names its boundary.
 *
 * @example
 * ```ts
 * const { contentType, body }: MultipartBody = buildMultipartRelated({ name: "a.csv" }, "text/csv", bytes);
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/manage-uploads#multipart
 */
export interface MultipartBody {
  /** `multipart/related; boundary=...` */
  contentType: string;
  body: Uint8Array<ArrayBuffer>;
}

const encoder = new TextEncoder();

/**
 * Build a `multipart/related` body with the metadata part first and the
 * media part second, separated by a random boundary that does not occur in
 * the content.
 *
 * @example
 * ```ts
 * const { contentType, body } = buildMultipartRelated({ name: "a.csv" }, "text/csv", bytes);
 * await http.post(`${DRIVE_UPLOAD_API}/files`, { query: { uploadType: "multipart" }, headers: { "content-type": contentType }, body });
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2387
 */
export function buildMultipartRelated(
  metadata: Record<string, unknown>,
  mimeType: string,
  content: Uint8Array,
): MultipartBody {
  if (metadata === null || typeof metadata !== "object")
    throw new TypeError('"metadata" must be an object');
  if (typeof mimeType !== "string" || mimeType === "")
    throw new TypeError('"mimeType" must be a non-empty string');
  if (!(content instanceof Uint8Array)) throw new TypeError('"content" must be a Uint8Array');
  let boundary: string;
  do boundary = `patchbay_${randomBytes(18).toString("hex")}`;
  while (Buffer.from(content.buffer, content.byteOffset, content.byteLength).includes(boundary));
  const head = encoder.encode(
    `--${boundary}\r\n` +
      "Content-Type: application/json; charset=UTF-8\r\n\r\n" +
      `${JSON.stringify(metadata)}\r\n` +
      `--${boundary}\r\n` +
      `Content-Type: ${mimeType}\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.byteLength + content.byteLength + tail.byteLength);
  body.set(head, 0);
  body.set(content, head.byteLength);
  body.set(tail, head.byteLength + content.byteLength);
  return { contentType: `multipart/related; boundary=${boundary}`, body };
}
