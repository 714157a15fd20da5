import { createHash } from "crypto";
import { readFileSync } from "fs";
import { join } from "path";

/** The scripts our Jobs run, by file name. */
export const scriptNames = [
    "lib.sh",
    "wait-for-db.sh",
    "migrate.sh",
    "smoke-check.sh",
    "migration-lock.sh",
    "alert-message.sh",
    "alert.sh",
] as const;
export type ScriptName = (typeof scriptNames)[number];

/** Where the scripts ConfigMap is mounted in every Job pod. */
export const scriptsMountPath = "/migrate-first";

export interface RuntimeScripts {
    readonly files: Readonly<Record<ScriptName, string>>;
    /** First 10 hex digits of the sha256 over every file: part of the ConfigMap's name, so an edit rolls the Jobs. */
    readonly hash: string;
}

/** Reads the scripts shipped in `runtime/`. */
export function loadRuntimeScripts(): RuntimeScripts {
    const digest = createHash("sha256");
    const files = {} as Record<ScriptName, string>;
    for (const name of scriptNames) {
        files[name] = readFileSync(join(__dirname, name), "utf8");
        digest.update(name).update("\0").update(files[name]).update("\0");
    }
    return { files, hash: digest.digest("hex").slice(0, 10) };
}
