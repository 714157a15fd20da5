import { strict as assert } from "assert";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { buildWorkload } from "../manifests";
import { rehearse } from "../rehearsal/sync";
import { loadRuntimeScripts } from "../runtime";
import { parseSpec } from "../environment-schema";
import { validateAgainstSchema } from "./helpers/kube-schemas";
import { migrationsDir } from "./helpers/scratch";
import { specInput, validSpec } from "./helpers/specs";

const scripts = loadRuntimeScripts();
const image = "ghcr.io/acme/shop-distroless@sha256:" + "b".repeat(64);
const pod = (o: { spec?: { template?: { spec?: IPodSpec } } }): IPodSpec => o.spec?.template?.spec as IPodSpec;
const containers = (p: IPodSpec): IContainer[] => [...(p.initContainers ?? []), ...p.containers];

describe("SQL migrations from a distroless image (migration.filesFrom)", function () {
    this.timeout(120000);

    it("mounts the app image as an image volume at imageDirectory: nothing runs in it, no cp needed", () => {
        const w = buildWorkload(
            validSpec({
                app: { name: "shop", image },
                migration: { filesFrom: "imageVolume", imageDirectory: "/app/migrations/" },
            }),
            scripts,
        );
        for (const job of [w.migrate, w.smoke]) {
            const p = pod(job);
            assert.deepEqual(
                containers(p).filter((c) => c.image === image),
                [],
                `${job.metadata?.name}: no container runs the app image`,
            );
            assert.deepEqual(
                p.volumes?.find((v) => v.name === "migrations"),
                { name: "migrations", image: { reference: image, pullPolicy: "IfNotPresent" } },
            );
            const mounts = containers(p)
                .flatMap((c) => c.volumeMounts ?? [])
                .filter((m) => m.name === "migrations");
            assert.deepEqual(mounts, [
                { name: "migrations", mountPath: "/migrations", subPath: "app/migrations", readOnly: true },
            ]);
            assert.doesNotThrow(() => validateAgainstSchema(job));
        }
    });

    it("keeps cp in the app image as the default, for clusters without image volumes", () => {
        const w = buildWorkload(validSpec({ app: { name: "shop", image } }), scripts);
        assert.deepEqual(containers(pod(w.migrate)).find((c) => c.name === "copy-migrations")?.command, [
            "cp",
            "-R",
            "/app/migrations/.",
            "/migrations/",
        ]);
        assert.ok(pod(w.migrate).volumes?.every((v) => v.image === undefined));
    });

    it('refuses an imageDirectory that climbs out with ".."', () => {
        assert.throws(
            () => parseSpec(specInput({ migration: { imageDirectory: "/app/../etc" } }), { stack: "dev" }),
            /migration\.imageDirectory: "\/app\/\.\.\/etc" must not contain "\.\."/,
        );
    });

    it("rehearses a release whose Job mounts the image volume", async () => {
        const spec = validSpec({ tier: "dev", migration: { filesFrom: "imageVolume" } });
        const dir = migrationsDir({ "0001_create_items.sql": "CREATE TABLE items (id bigint PRIMARY KEY);\n" });
        const lines: string[] = [];
        const result = await rehearse(spec, {
            releases: [{ image: spec.app.image, migrationsDir: dir }],
            log: (line) => lines.push(line),
        });
        assert.equal(result.failed, undefined, lines.join("\n"));
        assert.ok(
            lines.some((line) => /migrate: applied 0001_create_items\.sql/.test(line)),
            lines.join("\n"),
        );
    });
});
