import { InvalidArgumentError } from "commander";

/** --stack: a Pulumi stack name, as a file name part of Pulumi.<stack>.yaml. */
export function stackName(value: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(value))
        throw new InvalidArgumentError("a stack name has letters, digits, '-', '_' and '.' only");
    return value;
}

/** How a stack file names migration.directory, for the migration gate's error. */
export function stackFileDirectoryKey(stack: string): { directoryKey: string; directoryFix: string } {
    return {
        directoryKey: "migrate-first:migration.directory",
        directoryFix: `set migrate-first:migration.directory in Pulumi.${stack}.yaml, pointing it`,
    };
}

/**
 * An action whose error ends the command with `<name>: <message>` and `exitCode`, not a stack
 * trace: the message is written to say what to do next.
 */
export function reportErrors<A extends unknown[]>(
    name: string,
    exitCode: number,
    action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
    return async (...args: A) => {
        try {
            await action(...args);
        } catch (error: unknown) {
            console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
            process.exitCode = exitCode;
        }
    };
}
