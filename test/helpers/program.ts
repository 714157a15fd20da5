import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "fs";
import { join } from "path";
import { parse } from "yaml";
import type { Registered } from "./pulumi-mocks";
import { registered } from "./pulumi-mocks";

const root = join(__dirname, "..", "..");
const programPath = require.resolve("../../index");

/** A stack file's config as Pulumi hands it to the program: objects as JSON text, plus the admin password. */
export function stackConfig(stack: string, extra: Record<string, string> = {}): Record<string, string> {
    const file = parse(readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(file.config))
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    return { ...config, "migrate-first:databaseAdminPassword": "program-canary-pw", ...extra };
}

export interface RunOptions {
    readonly stack?: string;
    readonly secretKeys?: string[];
    /** Outputs a StackReference reads, by "org/project/stack". */
    readonly stackOutputs?: Record<string, Record<string, unknown>>;
}

type LogFunction = (message: string) => Promise<void>;

/**
 * Runs index.ts under the mock runtime: what it registered, what it returned, what it threw, and
 * its info and warning lines (kept here: without an engine the SDK would print them among the results).
 */
export async function runProgram(
    config: Record<string, string>,
    { stack = "dev", secretKeys = ["migrate-first:databaseAdminPassword"], stackOutputs = {} }: RunOptions = {},
) {
    let outputs: Record<string, unknown> = {};
    let error: unknown;
    const logs: string[] = [];
    const log = pulumi.log as { info: LogFunction; warn: LogFunction };
    const { info, warn } = log;
    log.info = (message) => Promise.resolve(void logs.push(`info: ${message}`));
    log.warn = (message) => Promise.resolve(void logs.push(`warn: ${message}`));
    try {
        const resources = await registered(
            async () => {
                delete require.cache[programPath];
                try {
                    // eslint-disable-next-line @typescript-eslint/no-require-imports -- reloaded fresh for each run (its cache entry is deleted above), as Pulumi loads a program: by require
                    const program = require(programPath) as () => Promise<Record<string, unknown>>;
                    outputs = await program();
                } catch (e) {
                    error = e;
                }
            },
            { stack, config, secretKeys, stackOutputs },
        );
        return { resources, outputs, error, logs };
    } finally {
        Object.assign(log, { info, warn });
    }
}

/** The StackReference name of a stack of this project under the mock runtime. */
export const stackRef = (stack: string) => `organization/migrate-first/${stack}`;

/** What the program created, leaving out the StackReferences it read. */
export const created = (resources: readonly Registered[]) =>
    resources.filter((r) => r.type !== "pulumi:pulumi:StackReference");
