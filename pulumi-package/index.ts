// The entry the SDK's component host reads the schema from (package.json "main" is what runs: the
// same class, compiled). See ../components/pulumi-package.ts.
export { AppEnvironment } from "../dist/components/pulumi-package";
