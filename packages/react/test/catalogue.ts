import type { CatalogueConnector } from "../src/index.js";

/**
 * The catalogue exactly as `GET /connectors` serves it: the output of
 * `describeConnector()` for the real Google Sheets, Gmail, Mailchimp (API-key
 * mode) and Airtable connectors, with their action forms left out for size.
 */
export const CATALOGUE: CatalogueConnector[] = [
  {
    id: "google-sheets",
    name: "Google Sheets",
    category: "spreadsheets",
    logo: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E",
    description:
      "Sync the rows of a Google Sheets tab both ways: columns map to your fields, rows keep a stable ID through sorts and edits.",
    docsUrl: "https://developers.google.com/workspace/sheets/api/reference/rest",
    auth: {
      kind: "oauth2",
      style: null,
      scopes: ["https://www.googleapis.com/auth/drive.file"],
      fields: null,
    },
    config: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: {
        spreadsheetId: {
          type: "string",
          pattern: "^[A-Za-z0-9_-]{10,}$",
          description: "Spreadsheet ID: docs.google.com/spreadsheets/d/<this part>/edit",
        },
        sheet: {
          description: "Tab (sheet) title. Omit to use sheetId, or the first tab",
          type: "string",
          minLength: 1,
        },
        sheetId: {
          description: "Tab id (gid= in the URL); survives renames. Wins over sheet",
          type: "integer",
          minimum: 0,
          maximum: 9007199254740991,
        },
        headerRow: {
          default: 1,
          description: "Row number of the header row; data starts below it",
          type: "integer",
          minimum: 1,
          maximum: 9007199254740991,
        },
        idColumn: {
          default: "Patchbay ID",
          description: "Header of the column where the connector keeps each row's stable ID",
          type: "string",
          minLength: 1,
        },
        valueRender: {
          default: "FORMATTED_VALUE",
          description: "Read cells as shown (strings) or as raw numbers and booleans",
          type: "string",
          enum: ["FORMATTED_VALUE", "UNFORMATTED_VALUE"],
        },
        valueInput: {
          default: "RAW",
          description: "Write values as is (RAW), or parse them as if typed (formulas, dates)",
          type: "string",
          enum: ["RAW", "USER_ENTERED"],
        },
        onDelete: {
          default: "delete_row",
          description: "What deleting a record does to its row",
          type: "string",
          enum: ["delete_row", "clear_row"],
        },
      },
      required: ["spreadsheetId"],
      description: "Google Sheets connection settings",
    },
    models: [
      {
        name: "rows",
        description:
          "The rows of one tab. Fields are the header row's columns; each row's stable id lives in the connector's ID column.",
        writable: true,
        modes: ["full", "incremental"],
      },
    ],
    actions: [],
    webhooks: false,
    destination: false,
  },
  {
    id: "gmail",
    name: "Gmail",
    category: "email",
    logo: null,
    description:
      "Send pitches from the user's Gmail and track the replies: interested, not interested, out of office, bounced.",
    docsUrl: "https://developers.google.com/workspace/gmail/api/reference/rest",
    auth: {
      kind: "oauth2",
      style: null,
      scopes: [
        "https://www.googleapis.com/auth/gmail.send",
        "https://www.googleapis.com/auth/gmail.readonly",
      ],
      fields: null,
    },
    config: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: {
        trackedThreads: {
          default: [],
          description: "Threads whose replies are tracked (written by the send and track actions)",
          maxItems: 1000,
          type: "array",
          items: {
            type: "object",
            properties: {
              threadId: {
                type: "string",
                minLength: 1,
              },
              contactEmail: {
                type: "string",
                format: "email",
                pattern:
                  "^(?:[A-Za-z0-9_'+\\-]+\\.)*[A-Za-z0-9_'+\\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\\-]*\\.)+[A-Za-z]{2,}$",
              },
              campaignId: {
                type: "string",
                minLength: 1,
              },
              subject: {
                type: "string",
              },
              anchorMessageId: {
                type: "string",
                minLength: 1,
              },
              sentAt: {
                type: "string",
                format: "date-time",
                pattern:
                  "^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z))$",
              },
              trackedAt: {
                type: "string",
                format: "date-time",
                pattern:
                  "^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z))$",
              },
            },
            required: [
              "threadId",
              "contactEmail",
              "campaignId",
              "subject",
              "anchorMessageId",
              "sentAt",
              "trackedAt",
            ],
          },
        },
        matchBySubject: {
          default: true,
          description:
            "Also match replies that start a new thread, by the contact's address and the pitch's subject",
          type: "boolean",
        },
      },
    },
    models: [
      {
        name: "replies",
        description:
          "Replies to tracked pitches, classified (interested, not_interested, out_of_office, bounce, other)",
        writable: false,
        modes: ["full", "incremental"],
      },
    ],
    actions: [],
    webhooks: false,
    destination: false,
  },
  {
    id: "mailchimp",
    name: "Mailchimp",
    category: "marketing",
    logo: null,
    description:
      "Audiences, members, campaigns and per-contact email activity (opens, clicks); upsert members and tags.",
    docsUrl: "https://mailchimp.com/developer/marketing/api/",
    auth: {
      kind: "credentials",
      style: "custom",
      scopes: [],
      fields: {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        properties: {
          apiKey: {
            type: "string",
            pattern: "^[0-9a-f]{32}-[a-z]{2}\\d{1,3}$",
            description: "API key (ends with the data center, e.g. -us6)",
          },
        },
        required: ["apiKey"],
      },
    },
    config: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: {
        listId: {
          description:
            "The audience (list) to sync members of and to receive webhooks for. Pick one with the audiences model or the listAudiences action.",
          type: "string",
          minLength: 1,
        },
        statusIfNew: {
          default: "subscribed",
          description:
            'Status given to a contact the host creates when the write does not say one ("pending" sends Mailchimp\'s double opt-in email).',
          type: "string",
          enum: ["subscribed", "pending", "unsubscribed", "transactional"],
        },
        activityWindowDays: {
          default: 30,
          description:
            "Incremental email-activity syncs re-read campaigns sent within this many days of the newest one; full syncs read every sent campaign.",
          type: "integer",
          minimum: 1,
          maximum: 365,
        },
      },
    },
    models: [
      {
        name: "audiences",
        description: "Audiences (lists) of the account, with member counts.",
        writable: false,
        modes: ["full"],
      },
      {
        name: "members",
        description:
          "Members of the configured audience; incremental by last_changed; upsert by subscriber hash, tags, archive.",
        writable: true,
        modes: ["full", "incremental"],
      },
      {
        name: "campaigns",
        description:
          "Campaigns with status, recipients and report summary; incremental by create and send time.",
        writable: false,
        modes: ["full", "incremental"],
      },
      {
        name: "emailActivity",
        description:
          "Per-recipient opens, clicks and bounces of sent campaigns (one record per campaign and contact).",
        writable: false,
        modes: ["full", "incremental"],
      },
    ],
    actions: [],
    webhooks: true,
    destination: false,
  },
  {
    id: "airtable",
    name: "Airtable",
    category: "productivity",
    logo: null,
    description:
      "Sync an Airtable table both ways: records in, host changes out, with webhooks for changes made in Airtable.",
    docsUrl: "https://airtable.com/developers/web/api/introduction",
    auth: {
      kind: "oauth2",
      style: null,
      scopes: ["data.records:read", "data.records:write", "schema.bases:read", "webhook:manage"],
      fields: null,
    },
    config: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: {
        baseId: {
          type: "string",
          pattern: "^app[A-Za-z0-9]{14}$",
          description: "Base (pick with the listBases action)",
        },
        tableId: {
          type: "string",
          pattern: "^tbl[A-Za-z0-9]{14}$",
          description: "Table (pick with the listTables action)",
        },
        view: {
          description: "View id or name (optional): only the records visible in it are synced",
          type: "string",
          minLength: 1,
        },
        mergeOn: {
          description:
            "Fields that identify a record (1 to 3, e.g. Email): host creates update the matching record instead of duplicating it",
          minItems: 1,
          maxItems: 3,
          type: "array",
          items: {
            type: "string",
            minLength: 1,
          },
        },
      },
      required: ["baseId", "tableId"],
    },
    models: [
      {
        name: "records",
        description:
          "The configured table's records: cell values by field name, plus Airtable's id and createdTime.",
        writable: true,
        modes: ["full", "incremental"],
      },
    ],
    actions: [],
    webhooks: true,
    destination: false,
  },
];
