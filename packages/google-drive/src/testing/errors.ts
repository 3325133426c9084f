/**
 * Drive's error bodies. Most come from `@patchbay/google-common/testing`;
 * parameter errors here add the `location` and `locationType` Drive puts in
 * `errors[0]` (as in its 404 `File not found: <id>.` and 400 `Invalid Value`).
 */
import { HttpResponse } from "msw";

/**
 * A Drive error naming the request parameter at fault.
 *
 * @example
 * ```ts
 * return parameterError(404, "notFound", `File not found: ${id}.`, "fileId");
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/handle-errors
 */
export function parameterError(
  status: number,
  reason: string,
  message: string,
  location: string,
): Response {
  return HttpResponse.json(
    {
      error: {
        code: status,
        message,
        errors: [{ message, domain: "global", reason, location, locationType: "parameter" }],
      },
    },
    { status },
  );
}

/**
 * Drive's 404 for an id it does not know, or one the app may not see.
 *
 * @example
 * ```ts
 * if (!file) return fileNotFound(id);
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/handle-errors#resolve_a_404_error_file_not_found_fileid
 */
export function fileNotFound(id: string): Response {
  return parameterError(404, "notFound", `File not found: ${id}.`, "fileId");
}

/**
 * Drive's 400 for a value it cannot read (a bad `q`, `pageToken`, `orderBy`...).
 *
 * @example
 * ```ts
 * return invalidValue("q");
 * ```
 * @see https://developers.google.com/workspace/drive/api/guides/handle-errors#resolve_a_400_error_invalid_value
 */
export function invalidValue(location: string): Response {
  return parameterError(400, "invalid", "Invalid Value", location);
}
