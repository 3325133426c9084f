// Names each entry point's module after its package (`@patchbay/core`)
// instead of its path (`core/src`), so the API reference reads like the imports.
import { Converter, ReflectionKind } from "typedoc";

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const match = /^([a-z0-9-]+)\/src$/.exec(reflection.name);
    if (match) reflection.name = `@patchbay/${match[1]}`;
  });
}
