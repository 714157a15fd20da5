// The package's root: what `import { AppEnvironment } from "migrate-first"` gives a Pulumi program.
// The pure builders have subpaths of their own (see package.json "exports"), free of Pulumi.
export * from "./components";
export { parseSpec, SpecError } from "./environment-schema";
export type { EnvironmentSpec, EnvironmentSpecInput, SpecSource, Tier } from "./environment-schema";
