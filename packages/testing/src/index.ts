export * from "./connector-contract.js";
export * from "./fake-oauth-server.js";
export * from "./faults.js";
export * from "./sandbox.js";
export * from "./store-suite.js";
