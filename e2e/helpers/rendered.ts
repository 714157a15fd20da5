import { existsSync, readdirSync, readFileSync, statSync } from "fs";
import { join } from "path";
import { parseAllDocuments } from "yaml";

/** A Kubernetes object as parsed from YAML. */
export type KubeObject = {
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown; annotations?: Record<string, string> };
} & Record<string, unknown>;

/** Every file under `dir`, recursively (none if it does not exist). */
function filesUnder(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir).flatMap((entry) => {
        const path = join(dir, entry);
        return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/** Every object in every YAML file under `dir`. */
export function objectsIn(dir: string): KubeObject[] {
    return filesUnder(dir)
        .filter((file) => /\.ya?ml$/.test(file))
        .flatMap((file) => parseAllDocuments(readFileSync(file, "utf8")).map((doc) => doc.toJS() as unknown))
        .filter((object): object is KubeObject => typeof object === "object" && object !== null && "kind" in object);
}

/** Every file under `dir` as one text, for a search for plain-text secrets. */
export function textOfTree(dir: string): string {
    return filesUnder(dir)
        .map((file) => readFileSync(file, "latin1"))
        .join("\n");
}

export function objectKey(object: KubeObject): string {
    const namespace: unknown = object.metadata?.namespace ?? "";
    return `${String(object.kind)}/${String(namespace)}/${String(object.metadata?.name)}`;
}

/** The object without what the provider adds to what the program gave it. */
export function withoutProviderFields(object: KubeObject): KubeObject {
    const annotations = Object.fromEntries(
        Object.entries(object.metadata?.annotations ?? {}).filter(([key]) => !key.startsWith("pulumi.com/")),
    );
    const metadata = { ...object.metadata, annotations };
    if (Object.keys(annotations).length === 0) delete (metadata as { annotations?: unknown }).annotations;
    return { ...object, metadata };
}
