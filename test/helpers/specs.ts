import { readFileSync } from "fs";
import { join } from "path";
import type { EnvironmentSpec, EnvironmentSpecInput } from "../../environment-schema";
import { parseSpec } from "../../environment-schema";

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

/** Pulumi.dev.yaml's text, with its tier named, so a copy under another stack name stays a dev stack. */
export function devStackYaml(): string {
    return `${readFileSync(join(__dirname, "..", "..", "Pulumi.dev.yaml"), "utf8")}  migrate-first:tier: dev\n`;
}
