export * from "./store-suite.js";
export * from "./fake-oauth-server.js";
