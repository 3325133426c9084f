import { z } from "zod";
import type { ModelDefinition } from "../connector/types.js";
import { ConfigError } from "../errors.js";
import type { Connection, Json } from "../store/types.js";

/** Host field → provider field, for one model of one connection. */
export type FieldMapping = Record<string, string>;

/** The mapping in force: the connection's own, else the connector's default, else none (records keep provider names). */
export function resolveMapping(
  connection: Pick<Connection, "fieldMappings">,
  modelName: string,
  model: ModelDefinition,
): FieldMapping | null {
  return connection.fieldMappings[modelName] ?? model.defaultMapping ?? null;
}

/** The provider fields a schema declares, when it is a zod object. */
export function schemaFields(schema: z.ZodType): string[] | null {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : null;
}

/** Provider record → host record: only mapped fields, under host names. Identity without a mapping. */
export function toHostShape(data: Json, mapping: FieldMapping | null): Json {
  if (mapping === null || data === null || typeof data !== "object" || Array.isArray(data))
    return data;
  const out: Record<string, Json> = {};
  for (const [hostField, providerField] of Object.entries(mapping)) {
    const value = data[providerField];
    if (value !== undefined) out[hostField] = value;
  }
  return out;
}

/**
 * Host record → provider fields. A host field the mapping does not know is
 * an error naming it, so a typo never silently drops data.
 */
export function toProviderShape(
  data: Record<string, unknown>,
  mapping: FieldMapping | null,
  where: string,
): Record<string, unknown> {
  if (mapping === null) return data;
  const out: Record<string, unknown> = {};
  for (const [hostField, value] of Object.entries(data)) {
    const providerField = mapping[hostField];
    if (providerField === undefined) {
      throw new ConfigError(
        `${where}: field "${hostField}" is not mapped (mapped fields: ${Object.keys(mapping).join(", ") || "none"}); add it with connections.setFieldMapping()`,
      );
    }
    out[providerField] = value;
  }
  return out;
}

/**
 * Check a mapping against both sides: every provider field must exist
 * (from the model's dynamic `fields` or its schema), every host field must
 * exist in the host's schema when one is given, and no provider field may be
 * the target of two host fields.
 */
export function validateMapping(
  mapping: unknown,
  sides: {
    model: string;
    providerFields: string[] | null;
    hostFields: string[] | null;
    providerLabel?: string;
  },
): FieldMapping {
  if (mapping === null || typeof mapping !== "object" || Array.isArray(mapping)) {
    throw new TypeError(`"mapping" must be an object of host field → provider field`);
  }
  const out: FieldMapping = {};
  const targets = new Map<string, string>();
  const label = sides.providerLabel ?? "field";
  for (const [hostField, providerField] of Object.entries(mapping as Record<string, unknown>)) {
    if (typeof providerField !== "string" || providerField === "") {
      throw new ConfigError(
        `Field mapping of "${sides.model}": "${hostField}" must map to a non-empty provider ${label} name`,
      );
    }
    if (sides.providerFields !== null && !sides.providerFields.includes(providerField)) {
      throw new ConfigError(
        `Field mapping of "${sides.model}": unknown ${label} "${providerField}" (for "${hostField}"); available: ${sides.providerFields.join(", ") || "none"}`,
      );
    }
    if (sides.hostFields !== null && !sides.hostFields.includes(hostField)) {
      throw new ConfigError(
        `Field mapping of "${sides.model}": unknown host field "${hostField}"; your schema has: ${sides.hostFields.join(", ") || "none"}`,
      );
    }
    const already = targets.get(providerField);
    if (already !== undefined) {
      throw new ConfigError(
        `Field mapping of "${sides.model}": ${label} "${providerField}" is mapped twice ("${already}" and "${hostField}")`,
      );
    }
    targets.set(providerField, hostField);
    out[hostField] = providerField;
  }
  return out;
}
