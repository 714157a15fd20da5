import { InvalidArgumentError } from "commander";

/** --stack: a Pulumi stack name, as a file name part of Pulumi.<stack>.yaml. */
export function stackName(value: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(value)) throw new InvalidArgumentError("a stack name has letters, digits, '-', '_' and '.' only");
    return value;
}
