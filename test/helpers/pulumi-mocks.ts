import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

/** One resource as the engine would have received it. */
export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    /** Options as the engine receives them on the wire. */
    readonly options: { readonly provider?: string; readonly protect: boolean; readonly retainOnDelete: boolean };
    readonly urn: string;
    /** URNs of the resources it depends on (dependsOn and its inputs'). */
    readonly dependencies: readonly string[];
}

// The mock monitor hands `newResource` no options; the request it got still has them.
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getDependenciesList(): string[];
}
interface Wire {
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly urn: string;
    readonly dependencies: readonly string[];
}
const wire = new Map<string, Wire>();
const monitor = MockMonitor.prototype as unknown as {
    registerResource: (this: unknown, req: RegisterRequest, callback: unknown) => Promise<void>;
    newUrn: (this: unknown, parent: string, type: string, name: string) => string;
};
const register = monitor.registerResource;
monitor.registerResource = function (req, callback) {
    wire.set(`${req.getType()}::${req.getName()}`, {
        protect: req.getProtect(),
        retainOnDelete: req.getRetainondelete(),
        urn: monitor.newUrn.call(this, req.getParent(), req.getType(), req.getName()),
        dependencies: req.getDependenciesList(),
    });
    return register.call(this, req, callback);
};

/**
 * Runs `program` under the real SDK's mock runtime and returns every resource it
 * registered, after every outstanding registration has finished. `stackOutputs` holds the
 * outputs StackReferences read, by stack name.
 */
export async function registered(
    program: () => unknown,
    opts: {
        stack?: string;
        config?: Record<string, string>;
        secretKeys?: string[];
        stackOutputs?: Record<string, Record<string, unknown>>;
    } = {},
): Promise<Registered[]> {
    const seen: Registered[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const inputs = args.inputs as Record<string, unknown>;
                const sent = wire.get(`${args.type}::${args.name}`);
                seen.push({
                    type: args.type,
                    name: args.name,
                    inputs,
                    options: {
                        provider: args.provider,
                        protect: sent?.protect ?? false,
                        retainOnDelete: sent?.retainOnDelete ?? false,
                    },
                    urn: sent?.urn ?? "",
                    dependencies: sent?.dependencies ?? [],
                });
                // A StackReference reads the outputs of the stack it names ("org/project/stack"); none if never deployed.
                if (args.type === "pulumi:pulumi:StackReference") {
                    const stack = String(inputs.name);
                    return {
                        id: stack,
                        state: { name: stack, outputs: opts.stackOutputs?.[stack] ?? {}, secretOutputNames: [] },
                    };
                }
                // What the providers would compute: a password for RandomPassword.
                const computed =
                    args.type === "random:index/randomPassword:RandomPassword"
                        ? { result: `pw-${args.name}-${"x".repeat(Number(inputs.length ?? 16))}` }
                        : {};
                return { id: `${args.name}-id`, state: { ...inputs, ...computed } };
            },
            call: (args) => args.inputs as Record<string, unknown>,
        },
        "migrate-first",
        opts.stack ?? "dev",
        false,
        "organization", // what the self-managed backends call every stack's organization
    );
    pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);
    await program();
    await pulumi.runtime.disconnect();
    return seen;
}

export function ofType(resources: readonly Registered[], type: string): Registered[] {
    return resources.filter((r) => r.type === type);
}

export function one(resources: readonly Registered[], type: string, name?: string): Registered {
    const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (found.length !== 1)
        throw new Error(
            `expected one ${type}${name === undefined ? "" : ` named ${name}`}, found ${found.length}: ${resources.map((r) => `${r.type} ${r.name}`).join(", ")}`,
        );
    return found[0];
}

/** Resolves an Output's value and whether it is secret. */
export async function reveal<T>(output: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    const value = await new Promise<T>((resolve) => output.apply((v) => resolve(v)));
    return { value, secret: await pulumi.isSecret(output) };
}

// How the mock monitor hands over a secret input: Pulumi's wire format for secrets.
const secretSig = "4dabf18193072939515e22adb298388d";
const secretValue = "1b47061264138c4ac30d75fd1eb44270";

/** A registered input, and whether it arrived marked secret. */
export function secretInput<T>(input: unknown): { secret: boolean; value: T } {
    if (typeof input === "object" && input !== null && (input as Record<string, unknown>)[secretSig] === secretValue) {
        return { secret: true, value: (input as { value: T }).value };
    }
    return { secret: false, value: input as T };
}
