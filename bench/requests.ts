import { mkdirSync, mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

/** The teams the bench's request files belong to (the policy lists them). */
export const benchTeams = ["payments", "search", "growth", "identity"];

/** A folder of `count` self-service request files, each with one migration (under `parent`, or /tmp). */
export function requestFolder(count: number, parent = tmpdir()): string {
    const dir = mkdtempSync(join(parent, "migrate-first-bench-envs-"));
    for (let i = 0; i < count; i++) {
        const team = benchTeams[i % benchTeams.length] ?? "payments";
        const app = `service-${String(i).padStart(3, "0")}`;
        writeFileSync(
            join(dir, `${team}-${app}.yaml`),
            `app: ${app}\nteam: ${team}\nimage: ghcr.io/acme/${app}:v1.${i}.0\nsize: ${["small", "medium", "large"][i % 3]}\n`,
        );
        // Each request's migrations, where the platform's gate lints them.
        mkdirSync(join(dir, `${team}-${app}`, "migrations"), { recursive: true });
        writeFileSync(
            join(dir, `${team}-${app}`, "migrations", "0001_create_items.sql"),
            "CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);\n",
        );
    }
    return dir;
}
