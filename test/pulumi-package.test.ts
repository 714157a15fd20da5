import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { AppEnvironment, packageAppEnvironmentType, specText } from "../components/pulumi-package";
import { specInput } from "./helpers/specs";
import { one, registered } from "./helpers/pulumi-mocks";

// The AppEnvironment other Pulumi languages create through pulumi-package/ (the real CLI and
// hosts: e2e/component-package.test.ts), under the SDK's mocks: the spec as text, read by parseSpec.
describe("the component package's AppEnvironment", () => {
    it("reads the spec as JSON or YAML text", () => {
        const spec = specInput();
        assert.deepEqual(specText(JSON.stringify(spec)), spec);
        assert.deepEqual(specText(stringify(spec)), spec);
    });

    it("refuses text that is neither, and a value that is not text, saying so", () => {
        assert.throws(() => specText("app: [unclosed"), /spec is not valid YAML or JSON/);
        assert.throws(() => specText(specInput() as unknown as string), /spec must be YAML or JSON text, got object/);
    });

    it("builds the TypeScript AppEnvironment as its child, and renders through a kubernetes provider of its own", async () => {
        const resources = await registered(() => {
            new AppEnvironment("shop", {
                spec: JSON.stringify(specInput({ kubernetes: { renderDirectory: "rendered" } })),
                databaseAdminPassword: pulumi.secret("canary-admin"),
            });
        });
        one(resources, packageAppEnvironmentType, "shop");
        const typed = one(resources, "migrate-first:env:AppEnvironment", "shop");
        assert.match(typed.urn, new RegExp(`::${packageAppEnvironmentType}\\$migrate-first:env:AppEnvironment::shop$`));
        const provider = one(resources, "pulumi:providers:kubernetes", "shop-kubernetes");
        assert.match(provider.urn, new RegExp(`::${packageAppEnvironmentType}\\$pulumi:providers:kubernetes::`));
    });

    it("refuses a bad spec with parseSpec's message", async () => {
        await assert.rejects(
            registered(() => {
                new AppEnvironment("shop", {
                    spec: JSON.stringify(specInput({ app: { name: "shop", image: "ghcr.io/acme/shop" } })),
                    databaseAdminPassword: "x",
                });
            }),
            /app\.image: "ghcr\.io\/acme\/shop" has no tag or digest/,
        );
    });
});
