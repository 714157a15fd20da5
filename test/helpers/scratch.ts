import { readdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { temporaryDir } from "../../rehearsal/postgres";

/** A fresh directory under /tmp, removed when the test run exits. */
export const scratchDir = temporaryDir;

/** A directory of migration files. */
export function migrationsDir(files: Readonly<Record<string, string>>): string {
    const dir = scratchDir("migrations");
    for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
    return dir;
}

/** Every command line seen in /proc while `running` lasts, sampled every few milliseconds. */
export async function commandLinesDuring(running: Promise<unknown>): Promise<Set<string>> {
    const seen = new Set<string>();
    let finished = false;
    // Stop on failure too: a rejected run (e.g. no psql) must not leave this loop sampling forever,
    // which kept mocha from exiting after the failures.
    const stop = () => void (finished = true);
    void running.then(stop, stop);
    while (!finished) {
        for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
            try {
                seen.add(readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "));
            } catch {
                // The process ended between readdir and read.
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return seen;
}
