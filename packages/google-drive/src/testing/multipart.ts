/**
 * Reads a `multipart/related` upload body the way Drive's upload endpoint
 * does: the boundary from the `Content-Type` header, a JSON metadata part
 * first, the media part second, bytes untouched.
 *
 * @see https://developers.google.com/workspace/drive/api/guides/manage-uploads#multipart
 * @see https://www.rfc-editor.org/rfc/rfc2046#section-5.1.1
 */

/**
 * The two parts of a Drive multipart upload.
 *
 * @example
 * ```ts
 * const { metadata, media } = parseMultipartRelated(request.headers.get("content-type"), body);
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/manage-uploads#multipart
 */
export interface MultipartUpload {
  metadata: Record<string, unknown>;
  media: { contentType: string | undefined; bytes: Uint8Array };
}

/**
 * Why a body is not a valid Drive multipart upload.
 *
 * @example
 * ```ts
 * try { parseMultipartRelated(type, body) } catch (e) { if (e instanceof MultipartError) return badRequest(e.message) }
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc2046#section-5.1.1
 */
export class MultipartError extends Error {
  override readonly name = "MultipartError";
}

const CRLF = Buffer.from("\r\n");

function boundaryOf(contentType: string | null): string {
  const match = /^\s*multipart\/related\s*;(.*)$/i.exec(contentType ?? "");
  if (match === null) throw new MultipartError("Content-Type must be multipart/related");
  const param = /(?:^|;)\s*boundary\s*=\s*("([^"]+)"|[^;\s]+)/i.exec(match[1] as string);
  const boundary = param?.[2] ?? param?.[1];
  if (boundary === undefined || boundary === "")
    throw new MultipartError("multipart/related needs a boundary");
  return boundary;
}

function parsePart(part: Buffer): { headers: Map<string, string>; body: Buffer } {
  const split = part.indexOf("\r\n\r\n");
  if (split === -1) throw new MultipartError("a part has no header/body separator");
  const headers = new Map<string, string>();
  for (const line of part.subarray(0, split).toString("latin1").split("\r\n")) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon === -1) throw new MultipartError("malformed part header");
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: part.subarray(split + 4) };
}

/**
 * Split a multipart/related body into Drive's metadata and media parts.
 *
 * @example
 * ```ts
 * const { metadata, media } = parseMultipartRelated("multipart/related; boundary=b", bytes);
 * metadata.name; // "pitches.csv"
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/manage-uploads#multipart
 * @throws MultipartError when the body is not what Drive accepts.
 */
export function parseMultipartRelated(
  contentType: string | null,
  raw: Uint8Array,
): MultipartUpload {
  const boundary = boundaryOf(contentType);
  const body = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  // The first delimiter may follow a preamble; later ones follow a CRLF.
  let at = body.indexOf(delimiter);
  if (at === -1 || (at > 0 && body.indexOf(Buffer.concat([CRLF, delimiter])) !== at - 2))
    throw new MultipartError("the body does not start with the boundary");
  const parts: Buffer[] = [];
  const separator = Buffer.concat([CRLF, delimiter]);
  for (;;) {
    let cursor = at + delimiter.length;
    if (body.subarray(cursor, cursor + 2).toString() === "--") break;
    // Transport padding, then the CRLF that ends the delimiter line.
    while (body[cursor] === 0x20 || body[cursor] === 0x09) cursor++;
    if (body.subarray(cursor, cursor + 2).compare(CRLF) !== 0)
      throw new MultipartError("a boundary line is not followed by CRLF");
    cursor += 2;
    const end = body.indexOf(separator, cursor);
    if (end === -1) throw new MultipartError("the closing boundary is missing");
    parts.push(body.subarray(cursor, end));
    at = end + 2;
  }
  if (parts.length !== 2)
    throw new MultipartError(`expected 2 parts (metadata, media), got ${parts.length}`);
  const meta = parsePart(parts[0] as Buffer);
  const metaType = meta.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(metaType))
    throw new MultipartError("the first part must be application/json metadata");
  let metadata: unknown;
  try {
    metadata = JSON.parse(meta.body.toString("utf8"));
  } catch {
    throw new MultipartError("the metadata part is not valid JSON");
  }
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata))
    throw new MultipartError("the metadata part must be a JSON object");
  const media = parsePart(parts[1] as Buffer);
  const encoding = media.headers.get("content-transfer-encoding")?.toLowerCase();
  const bytes =
    encoding === "base64"
      ? Buffer.from(media.body.toString("latin1"), "base64")
      : Buffer.from(media.body);
  return {
    metadata: metadata as Record<string, unknown>,
    media: { contentType: media.headers.get("content-type"), bytes: new Uint8Array(bytes) },
  };
}
