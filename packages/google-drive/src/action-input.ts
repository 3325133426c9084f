import type { z } from "zod";

/**
 * Check an action's input against its schema, throwing a `TypeError` that
 * names the action and the field (`uploadFile: "content": Invalid base64-encoded string`).
 *
 * @example
 * ```ts
 * const input = parseActionInput("uploadFile", UploadFileInput, raw);
 * ```
 */
export function parseActionInput<S extends z.ZodType>(
  action: string,
  schema: S,
  input: unknown,
): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join(".") ?? "";
  throw new TypeError(
    `${action}: ${path === "" ? "input" : `"${path}"`}: ${issue?.message ?? "invalid input"}`,
  );
}
