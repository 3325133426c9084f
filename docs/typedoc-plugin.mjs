// Names each entry point's module after its package (`@patchbay/core`) or
// subpath (`@patchbay/testing/example`) instead of its path (`core/src`,
// `testing/src/example`), so the API reference reads like the imports.
import { Converter, ReflectionKind } from "typedoc";

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const match = /^([a-z0-9-]+)\/src(\/[a-z0-9-]+)?$/.exec(reflection.name);
    if (match) reflection.name = `@patchbay/${match[1]}${match[2] ?? ""}`;
  });
}
