import { existsSync } from "fs";
import { dirname, join } from "path";

/**
 * The project's root: the folder holding `engines/build.sh`, found from here both as TypeScript
 * (rehearsal/cluster/) and as built JavaScript (dist/rehearsal/cluster/).
 */
function projectRoot(): string {
    for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir))
        if (existsSync(join(dir, "engines", "build.sh"))) return dir;
    throw new Error(
        "the real engines are built from a clone of the migrate-first repository (engines/build.sh), " +
            "not from the installed package: clone it, then run `npm ci` and `npm run engines` there",
    );
}

/** Where `npm run engines` links the binaries it built (`MIGRATE_FIRST_ENGINES` to use others). */
export const enginesBin = process.env.MIGRATE_FIRST_ENGINES ?? join(projectRoot(), ".engines", "bin");

/** The pod runner's image mapping (engines/pod-runner/images.yaml). */
export const podRunnerImages = join(projectRoot(), "engines", "pod-runner", "images.yaml");
