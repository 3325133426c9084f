import { describe, expect, it } from "vitest";
import { z } from "zod";
import { apiKey, ConfigError, ConnectorRegistry, defineConnector, oauth2 } from "../src/index.js";

const base = {
  id: "acme-crm",
  name: "Acme CRM",
  category: "crm" as const,
  auth: apiKey({ header: "x-api-key" }),
};

describe("defineConnector", () => {
  it("accepts a well-formed connector and returns it unchanged", () => {
    const def = { ...base, config: z.object({ pipeline: z.string().default("main") }) };
    expect(defineConnector(def)).toBe(def);
  });

  it("names the field and the fix for each mistake", () => {
    expect(() => defineConnector({ ...base, id: "Acme_CRM" })).toThrow(
      '"id" must be lowercase kebab-case (e.g. "google-sheets"), got "Acme_CRM"',
    );
    expect(() => defineConnector({ ...base, name: " " })).toThrow(
      'connector "acme-crm": "name" must be a non-empty string',
    );
    expect(() => defineConnector({ ...base, category: "misc" as "crm" })).toThrow(
      /"category" must be one of spreadsheets, email/,
    );
    expect(() => defineConnector({ ...base, logo: "http://x/logo.png" })).toThrow(
      /"logo" must be an https: URL/,
    );
    expect(() => defineConnector({ ...base, config: z.object({ when: z.date() }) })).toThrow(
      /"config" must be representable as JSON Schema/,
    );
    expect(() =>
      defineConnector({ ...base, models: { rows: { schema: z.object({}), key: "id" } as never } }),
    ).toThrow('connector "acme-crm" model "rows": "sync" must be an async generator function');
  });

  it("validates auth declarations where they are written", () => {
    expect(() =>
      oauth2({
        authorizationUrl: "http://evil.test/auth",
        tokenUrl: "https://x.test/token",
        clientId: "c",
        scopes: [],
      }),
    ).toThrow('"authorizationUrl" must use https: (OAuth endpoints carry secrets), got "http:"');
    expect(() =>
      oauth2({
        authorizationUrl: "https://x.test/a",
        tokenUrl: "https://x.test/t",
        clientId: "",
        scopes: [],
      }),
    ).toThrow('"clientId" must be a non-empty string');
    expect(() => apiKey({})).toThrow('apiKey() needs "header" or "query"');
  });
});

describe("ConnectorRegistry", () => {
  it("rejects duplicate ids and says which connectors exist when one is unknown", () => {
    expect(() => new ConnectorRegistry([base, base])).toThrow(
      '"connectors" lists "acme-crm" twice',
    );
    const registry = new ConnectorRegistry([base]);
    expect(() => registry.get("hubspot")).toThrow(ConfigError);
    expect(() => registry.get("hubspot")).toThrow(
      'Unknown connector "hubspot" (registered: acme-crm)',
    );
  });

  it("exports a JSON catalogue with config and credential forms as JSON Schema", () => {
    const registry = new ConnectorRegistry([
      { ...base, config: z.object({ pipeline: z.string().default("main").describe("Pipeline") }) },
    ]);
    const [info] = registry.catalogue();
    expect(info!.auth).toMatchObject({ kind: "credentials", style: "api_key" });
    expect(info!.auth.fields).toMatchObject({ type: "object", required: ["apiKey"] });
    expect(info!.config).toMatchObject({
      type: "object",
      properties: { pipeline: { type: "string", default: "main", description: "Pipeline" } },
    });
    expect(JSON.parse(JSON.stringify(info))).toEqual(info);
  });
});
