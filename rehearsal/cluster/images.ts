import { readFileSync } from "fs";
import { dirname, isAbsolute, resolve } from "path";
import { parse, stringify } from "yaml";
import type { Release } from "../sync";
import { podRunnerImages } from "./engines";

/** An entry of the pod runner's image mapping (engines/pod-runner/images.yaml, read by its images.go). */
interface ImageEntry {
    match: string;
    path: string;
    dirs?: Record<string, string>;
    command?: string[];
    workingDir?: string;
    description?: string;
}

/** Go's path.Match for the patterns the mapping uses: `*` and `?` never cross a `/`. */
function globMatches(pattern: string, image: string): boolean {
    const source = [...pattern]
        .map((c) => (c === "*" ? "[^/]*" : c === "?" ? "[^/]" : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
        .join("");
    return new RegExp(`^${source}$`).test(image);
}

/**
 * The pod runner's mapping for these releases: the default file, its directories made absolute,
 * after one entry per release image that maps `imageDirectory` (where the app image holds its
 * migrations) to the release's files: what building that image from them would give.
 */
export function releaseImages(
    appImage: string,
    imageDirectory: string,
    releases: readonly Release[],
    file = podRunnerImages,
): string {
    const base = dirname(file);
    const entries = (parse(readFileSync(file, "utf8")) as { images: ImageEntry[] }).images.map((entry) => ({
        ...entry,
        ...(entry.dirs === undefined
            ? {}
            : {
                  dirs: Object.fromEntries(
                      Object.entries(entry.dirs).map(([inside, local]) => [
                          inside,
                          isAbsolute(local) ? local : resolve(base, local),
                      ]),
                  ),
              }),
    }));
    const app = entries.find((entry) => globMatches(entry.match, appImage));
    if (app === undefined)
        throw new Error(
            `${file} maps no image matching ${appImage}: add an entry for the app image (see engines/README.md, "pod-runner")`,
        );
    const perRelease = releases.map((release) => ({
        ...app,
        match: release.image,
        dirs: { ...app.dirs, [imageDirectory]: resolve(release.migrationsDir) },
        description: `${release.image}: ${app.description ?? app.match}, with ${imageDirectory} holding ${release.migrationsDir}`,
    }));
    return stringify({ images: [...perRelease, ...entries] });
}
