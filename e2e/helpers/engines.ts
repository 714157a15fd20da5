import { existsSync } from "fs";
import { join } from "path";
import { enginesBin } from "../../rehearsal/cluster/engines";

/** What the real engine needs for our program: the CLI, the Node.js host and three providers. */
export const engineBinaries = [
    "pulumi",
    "pulumi-language-nodejs",
    "pulumi-language-nodejs-v3.68.0",
    "pulumi-resource-kubernetes",
    "pulumi-resource-postgresql",
    "pulumi-resource-random",
] as const;

/** Fails with what to run when a binary is missing, before any test starts a server. */
export function requireEngines(): void {
    const missing = engineBinaries.filter((name) => !existsSync(join(enginesBin, name)));
    if (missing.length > 0) {
        throw new Error(
            `${missing.join(", ")} not found in ${enginesBin}: run \`npm run engines\` first (it builds them from the Go module proxy)`,
        );
    }
}

/**
 * The environment every real `pulumi` command runs with: our binaries first on PATH (the CLI
 * takes a `pulumi-resource-<name>` on PATH whatever version the SDK asks for), no download and
 * no update check, a file backend and a passphrase secrets provider, and a home of its own.
 */
export function engineEnv(home: string, passphrase: string): Record<string, string> {
    return {
        PATH: `${enginesBin}:${process.env.PATH ?? ""}`,
        HOME: process.env.HOME ?? home,
        PULUMI_HOME: join(home, "pulumi-home"),
        PULUMI_BACKEND_URL: `file://${join(home, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_SKIP_CONFIRMATIONS: "true",
        // A kubeconfig nobody has: render mode must never need a cluster.
        KUBECONFIG: join(home, "no-kubeconfig"),
        NO_COLOR: "1",
    };
}
