import type { ConnectorCategory } from "@patchbay/core";
import { useId, useMemo, useState } from "react";
import { ErrorMessage } from "./error-message.js";
import { IntegrationCard } from "./integration-card.js";
import { useIntegrations } from "./provider.js";
import type { CatalogueConnector, ConnectionWithHealth, MappingFields } from "./types.js";

/**
 * The names categories show under; pass `categoryLabels` to change them.
 *
 * @example
 * ```ts
 * CATEGORY_LABELS.spreadsheets; // "Spreadsheets"
 * ```
 */
export const CATEGORY_LABELS: Readonly<Record<ConnectorCategory, string>> = {
  spreadsheets: "Spreadsheets",
  email: "Email",
  crm: "CRM",
  marketing: "Marketing",
  accounting: "Accounting",
  "field-service": "Field service",
  storage: "Storage",
  analytics: "Analytics",
  ads: "Advertising",
  messaging: "Messaging",
  calendar: "Calendar",
  ecommerce: "E-commerce",
  productivity: "Productivity",
  other: "Other",
};

/**
 * Props of {@link IntegrationsGrid}.
 *
 * @example
 * ```tsx
 * const props: IntegrationsGridProps = { connectors: ["google-sheets", "gmail"], groupByCategory: false };
 * ```
 */
export interface IntegrationsGridProps {
  /** Only these connectors, in this order. Default: the whole catalogue. */
  connectors?: string[];
  /** Only connectors of these categories. */
  categories?: ConnectorCategory[];
  /** Group the cards under a heading per category. Default `true`. */
  groupByCategory?: boolean;
  /** Show category filter buttons (when there is more than one category). Default `true`. */
  filter?: boolean;
  /** Your fields per connector and model, for each Configure dialog's mapping editor. */
  mappingFields?: Record<string, MappingFields>;
  /** Rename categories (`{ spreadsheets: "Sheets" }`). */
  categoryLabels?: Partial<Record<string, string>>;
  /** Heading level of the category headings; card titles are one level below. Default 2. */
  headingLevel?: 2 | 3 | 4 | 5;
  className?: string;
}

interface Entry {
  connector: CatalogueConnector;
  connection: ConnectionWithHealth | null;
}

/**
 * The integrations settings page in one component: the catalogue as cards,
 * grouped by category with a category filter, each card with its
 * connection(s) and actions. Loads through the nearest `<PatchbayProvider>`.
 *
 * @example
 * ```tsx
 * <PatchbayProvider baseUrl="/integrations" upgradeUrl="/billing">
 *   <IntegrationsGrid mappingFields={{ "google-sheets": { rows: { host: ["artist", "station", "status"] } } }} />
 * </PatchbayProvider>
 * ```
 */
export function IntegrationsGrid({
  connectors: only,
  categories,
  groupByCategory = true,
  filter = true,
  mappingFields,
  categoryLabels,
  headingLevel = 2,
  className,
}: IntegrationsGridProps) {
  const { status, connectors, connections, error, refresh } = useIntegrations();
  const id = useId();
  const [category, setCategory] = useState<string | null>(null);

  const label = (c: string) => categoryLabels?.[c] ?? CATEGORY_LABELS[c as ConnectorCategory] ?? c;

  const entries = useMemo(() => {
    let list = connectors;
    if (only !== undefined) {
      list = only
        .map((connectorId) => connectors.find((c) => c.id === connectorId))
        .filter((c): c is CatalogueConnector => c !== undefined);
    }
    if (categories !== undefined) list = list.filter((c) => categories.includes(c.category));
    const out: Entry[] = [];
    for (const connector of list) {
      const mine = connections.filter(
        (c) => c.connector === connector.id && c.status !== "disconnected",
      );
      if (mine.length === 0) out.push({ connector, connection: null });
      else for (const connection of mine) out.push({ connector, connection });
    }
    return out;
  }, [connectors, connections, only, categories]);

  const categoryOrder = useMemo(() => {
    const seen: string[] = [];
    for (const { connector } of entries)
      if (!seen.includes(connector.category)) seen.push(connector.category);
    return seen;
  }, [entries]);

  const root = ["patchbay-grid", className].filter(Boolean).join(" ");

  if (status === "idle" || status === "loading") {
    return (
      <div className={root} data-patchbay-grid="" aria-busy="true">
        <p role="status" data-patchbay-loading="">
          Loading integrations…
        </p>
      </div>
    );
  }
  if (status === "error") {
    return (
      <div className={root} data-patchbay-grid="">
        <ErrorMessage error={error} />
        <button type="button" className="patchbay-button" onClick={() => void refresh()}>
          Try again
        </button>
      </div>
    );
  }
  if (entries.length === 0) {
    return (
      <div className={root} data-patchbay-grid="">
        <p data-patchbay-empty="">No integrations are available.</p>
      </div>
    );
  }

  const active = category !== null && categoryOrder.includes(category) ? category : null;
  const visible =
    active === null ? entries : entries.filter((e) => e.connector.category === active);
  const Heading = `h${headingLevel}` as const;
  const cardHeading = (headingLevel + 1) as 3 | 4 | 5 | 6;
  const renderCards = (list: Entry[], labelledBy?: string) => (
    <ul className="patchbay-grid-list" data-patchbay-grid-list="" aria-labelledby={labelledBy}>
      {list.map(({ connector, connection }) => (
        <li
          key={connection?.id ?? connector.id}
          className="patchbay-grid-item"
          data-patchbay-grid-item=""
        >
          <IntegrationCard
            connector={connector}
            connection={connection}
            mappingFields={mappingFields?.[connector.id]}
            headingLevel={groupByCategory ? cardHeading : (headingLevel as 2 | 3 | 4 | 5)}
          />
        </li>
      ))}
    </ul>
  );

  return (
    <div className={root} data-patchbay-grid="">
      {filter && categoryOrder.length > 1 ? (
        <fieldset className="patchbay-filter" data-patchbay-filter="">
          <legend className="patchbay-filter-legend">Filter by category</legend>
          <button
            type="button"
            className="patchbay-button"
            data-patchbay-variant="quiet"
            aria-pressed={active === null}
            onClick={() => setCategory(null)}
          >
            All ({entries.length})
          </button>
          {categoryOrder.map((c) => (
            <button
              key={c}
              type="button"
              className="patchbay-button"
              data-patchbay-variant="quiet"
              aria-pressed={active === c}
              onClick={() => setCategory(c)}
            >
              {label(c)} ({entries.filter((e) => e.connector.category === c).length})
            </button>
          ))}
        </fieldset>
      ) : null}
      {error === null ? null : <ErrorMessage error={error} />}
      {groupByCategory
        ? categoryOrder
            .filter((c) => active === null || c === active)
            .map((c) => {
              const headingId = `${id}-${c}`;
              return (
                <section
                  key={c}
                  aria-labelledby={headingId}
                  className="patchbay-grid-group"
                  data-patchbay-grid-group={c}
                >
                  <Heading id={headingId} className="patchbay-grid-heading">
                    {label(c)}
                  </Heading>
                  {renderCards(
                    visible.filter((e) => e.connector.category === c),
                    headingId,
                  )}
                </section>
              );
            })
        : renderCards(visible)}
    </div>
  );
}
