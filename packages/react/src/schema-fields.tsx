import type { ReactNode } from "react";
import type { FormValues, SchemaField } from "./json-schema.js";

/**
 * Props of {@link SchemaFields}.
 *
 * @example
 * ```tsx
 * const props: SchemaFieldsProps = { fields, values, errors: {}, idPrefix: "cfg", onChange: (name, value) => {} };
 * ```
 */
export interface SchemaFieldsProps {
  /** From `fieldsFromSchema(schema)`. */
  fields: SchemaField[];
  values: FormValues;
  /** Messages shown next to their field, by field name. */
  errors: Record<string, string>;
  /** Prefix of the inputs' ids; unique on the page (use `useId()`). */
  idPrefix: string;
  onChange: (name: string, value: string | boolean) => void;
  disabled?: boolean;
}

/** The id of a generated field's input, so callers can focus it. */
export function fieldInputId(idPrefix: string, name: string): string {
  return `${idPrefix}-${name}`;
}

/**
 * The inputs of a form generated from JSON Schema: a labelled control per
 * field (text, password, number, checkbox, select), the description as help
 * text, a required marker, and the validation message next to the field
 * (linked with `aria-describedby` and `aria-invalid`). Used by the Configure
 * and Connect dialogs; use it to build your own.
 *
 * @example
 * ```tsx
 * const { fields } = fieldsFromSchema(connector.config);
 * const [values, setValues] = useState(() => initialFormValues(fields, connection.config));
 * <SchemaFields fields={fields} values={values} errors={{}} idPrefix={useId()}
 *   onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))} />
 * ```
 */
export function SchemaFields({
  fields,
  values,
  errors,
  idPrefix,
  onChange,
  disabled,
}: SchemaFieldsProps) {
  return (
    <>
      {fields.map((field) => {
        const id = fieldInputId(idPrefix, field.name);
        const helpId = `${id}-help`;
        const errorId = `${id}-error`;
        const error = errors[field.name];
        const describedBy =
          [error === undefined ? null : errorId, field.description === null ? null : helpId]
            .filter(Boolean)
            .join(" ") || undefined;
        const common = {
          id,
          name: field.name,
          disabled,
          "aria-describedby": describedBy,
          "aria-invalid": error === undefined ? undefined : true,
          "aria-required": field.required ? true : undefined,
        } as const;
        const value = values[field.name];
        const text = typeof value === "string" ? value : "";
        const label = (
          <label htmlFor={id} className="patchbay-label" data-patchbay-label="">
            {field.label}
            {field.required ? (
              <span className="patchbay-required" data-patchbay-required="" aria-hidden="true">
                {" *"}
              </span>
            ) : null}
          </label>
        );
        let control: ReactNode;
        switch (field.kind) {
          case "boolean":
            control = (
              <input
                {...common}
                type="checkbox"
                className="patchbay-checkbox"
                checked={value === true}
                onChange={(e) => onChange(field.name, e.currentTarget.checked)}
              />
            );
            break;
          case "enum":
            control = (
              <select
                {...common}
                className="patchbay-select"
                value={text}
                onChange={(e) => onChange(field.name, e.currentTarget.value)}
              >
                {text === "" || (!field.required && field.default === undefined) ? (
                  <option value="">Choose…</option>
                ) : null}
                {field.options.map((option) => (
                  <option key={String(option.value)} value={String(option.value)}>
                    {option.label}
                  </option>
                ))}
              </select>
            );
            break;
          case "multiline":
            control = (
              <textarea
                {...common}
                className="patchbay-input"
                rows={4}
                spellCheck={false}
                autoComplete="off"
                value={text}
                onChange={(e) => onChange(field.name, e.currentTarget.value)}
              />
            );
            break;
          default: {
            const type =
              field.kind === "secret"
                ? "password"
                : field.kind === "number" || field.kind === "integer"
                  ? "number"
                  : field.kind === "email"
                    ? "email"
                    : field.kind === "url"
                      ? "url"
                      : "text";
            control = (
              <input
                {...common}
                type={type}
                className="patchbay-input"
                value={text}
                autoComplete={field.kind === "secret" ? "off" : undefined}
                spellCheck={field.kind === "secret" ? false : undefined}
                inputMode={
                  field.kind === "integer"
                    ? "numeric"
                    : field.kind === "number"
                      ? "decimal"
                      : undefined
                }
                step={field.kind === "integer" ? 1 : field.kind === "number" ? "any" : undefined}
                min={field.minimum}
                max={field.maximum}
                onChange={(e) => onChange(field.name, e.currentTarget.value)}
              />
            );
          }
        }
        return (
          <div
            key={field.name}
            className="patchbay-field"
            data-patchbay-field={field.kind}
            data-patchbay-invalid={error === undefined ? undefined : ""}
          >
            {field.kind === "boolean" ? (
              <div className="patchbay-checkbox-row">
                {control}
                {label}
              </div>
            ) : (
              <>
                {label}
                {control}
              </>
            )}
            {error === undefined ? null : (
              <p id={errorId} className="patchbay-field-error" data-patchbay-field-error="">
                {error}
              </p>
            )}
            {field.description === null ? null : (
              <p id={helpId} className="patchbay-help" data-patchbay-help="">
                {field.description}
              </p>
            )}
          </div>
        );
      })}
    </>
  );
}

/**
 * The note that explains the required marker, when any field is required.
 * Hidden from screen readers: the inputs say `aria-required` themselves.
 */
export function RequiredNote({ fields }: { fields: SchemaField[] }) {
  if (!fields.some((f) => f.required && f.kind !== "boolean")) return null;
  return (
    <p className="patchbay-required-note" data-patchbay-required-note="" aria-hidden="true">
      Fields marked * are required.
    </p>
  );
}
