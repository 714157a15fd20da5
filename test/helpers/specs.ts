import { EnvironmentSpec, EnvironmentSpecInput, parseSpec } from "../../spec";

/** A small valid spec; tests change one thing at a time. */
export function specInput(overrides: Partial<EnvironmentSpecInput> = {}): EnvironmentSpecInput {
    return {
        app: { name: "shop", image: "ghcr.io/acme/shop:v1.2.0" },
        database: { host: "postgres.example.internal" },
        argocd: { repoURL: "https://github.com/acme/gitops.git" },
        ...overrides,
    };
}

export function validSpec(overrides: Partial<EnvironmentSpecInput> = {}): EnvironmentSpec {
    return parseSpec(specInput(overrides), { stack: "dev" });
}
