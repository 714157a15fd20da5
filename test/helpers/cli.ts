import type { SpawnSyncOptions, SpawnSyncReturns } from "child_process";
import { spawnSync } from "child_process";
import { join } from "path";

const root = join(__dirname, "..", "..");

/** Runs `migrate-first <args>` from its sources, as `npm run` runs the built command; cwd is the repository unless given. */
export function migrateFirst(args: readonly string[], options: SpawnSyncOptions = {}): SpawnSyncReturns<string> {
    return spawnSync(
        process.execPath,
        [join(root, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(root, "cli/main.ts"), ...args],
        { cwd: root, ...options, encoding: "utf8" },
    );
}
