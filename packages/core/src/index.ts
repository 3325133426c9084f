export * from "./errors.js";
export * from "./redact.js";
export * from "./logger.js";
export type * from "./http/types.js";
export * from "./http/index.js";
export type * from "./store/types.js";
export * from "./store/memory.js";
export type * from "./connector/types.js";
