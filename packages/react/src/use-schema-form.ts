import { useCallback, useMemo, useState } from "react";
import {
  type FormValues,
  fieldErrorsFromMessage,
  fieldsFromSchema,
  initialFormValues,
  type JsonSchemaObject,
  toJsonValues,
  validateField,
  validateForm,
} from "./json-schema.js";
import { fieldInputId } from "./schema-fields.js";

/** State of a form generated from JSON Schema: values, messages, submit-time validation. */
export function useSchemaForm(
  schema: JsonSchemaObject | null | undefined,
  current: Record<string, unknown> | undefined,
  options: { secrets?: boolean; idPrefix: string },
) {
  const { fields, unsupported } = useMemo(
    () => fieldsFromSchema(schema, { secrets: options.secrets }),
    [schema, options.secrets],
  );
  const [values, setValues] = useState<FormValues>(() => initialFormValues(fields, current));
  const [errors, setErrors] = useState<Record<string, string>>({});
  // Messages appear on submit; after that they follow the user's edits.
  const [validating, setValidating] = useState(false);

  const setValue = useCallback(
    (name: string, value: string | boolean) => {
      setValues((previous) => ({ ...previous, [name]: value }));
      if (!validating) return;
      const field = fields.find((f) => f.name === name);
      if (field === undefined) return;
      const message = validateField(field, value);
      setErrors((previous) => {
        const next = { ...previous };
        if (message === null) delete next[name];
        else next[name] = message;
        return next;
      });
    },
    [fields, validating],
  );

  const focusField = useCallback(
    (name: string) => {
      const el = document.getElementById(fieldInputId(options.idPrefix, name));
      el?.focus();
    },
    [options.idPrefix],
  );

  /** Validate everything; on failure show the messages and focus the first failing field. */
  const validate = useCallback((): Record<string, unknown> | null => {
    setValidating(true);
    const found = validateForm(fields, values);
    setErrors(found);
    const first = fields.find((f) => found[f.name] !== undefined);
    if (first !== undefined) {
      focusField(first.name);
      return null;
    }
    const preserved: Record<string, unknown> = {};
    for (const name of unsupported) {
      if (current !== undefined && current[name] !== undefined) preserved[name] = current[name];
    }
    return toJsonValues(fields, values, preserved);
  }, [fields, values, unsupported, current, focusField]);

  /** Show a server validation message next to its fields; returns what could not be placed. */
  const applyServerMessage = useCallback(
    (message: string, label: string): string | null => {
      const parsed = fieldErrorsFromMessage(message, label);
      const known = Object.fromEntries(
        Object.entries(parsed.fields).filter(([name]) => fields.some((f) => f.name === name)),
      );
      if (Object.keys(known).length === 0) return message;
      setValidating(true);
      setErrors(known);
      const first = fields.find((f) => known[f.name] !== undefined);
      if (first !== undefined) focusField(first.name);
      return Object.keys(known).length === Object.keys(parsed.fields).length
        ? parsed.rest
        : message;
    },
    [fields, focusField],
  );

  const reset = useCallback(
    (next: Record<string, unknown> | undefined) => {
      setValues(initialFormValues(fields, next));
      setErrors({});
      setValidating(false);
    },
    [fields],
  );

  return { fields, values, errors, setValue, validate, applyServerMessage, reset };
}
