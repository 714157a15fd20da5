import { strict as assert } from "assert";
import { join } from "path";
import { accessPlan } from "../database";
import { application, applicationName, namespace } from "../manifests";
import type { EnvironmentSpec } from "../environment-schema";
import { parseSpec, SpecError } from "../environment-schema";
import { specFromConfig, specFromStackFile } from "../stacks";
import { validateAgainstSchema } from "./helpers/kube-schemas";
import { specInput } from "./helpers/specs";

const root = join(__dirname, "..");
const plain = () => false;
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const identifier = /^[a-z_][a-z0-9_]*$/;

function problems(run: () => unknown): string {
    try {
        run();
    } catch (error) {
        assert.ok(error instanceof SpecError, String(error));
        return error.message;
    }
    assert.fail("expected a SpecError");
}

describe("long-lived stacks: presets by tier, overridden by config", () => {
    it("gives dev, staging and prod their tier's preset from their stack files", () => {
        const dev = specFromStackFile(root, "dev");
        const staging = specFromStackFile(root, "staging");
        const prod = specFromStackFile(root, "prod");
        assert.deepEqual([dev.tier, staging.tier, prod.tier], ["dev", "staging", "prod"]);
        assert.deepEqual([dev.app.replicas, staging.app.replicas, prod.app.replicas], [1, 2, 3]);
        assert.deepEqual(
            [
                dev.migration.activeDeadlineSeconds,
                staging.migration.activeDeadlineSeconds,
                prod.migration.activeDeadlineSeconds,
            ],
            [300, 600, 900],
        );
        assert.deepEqual(
            [dev.argocd.prune, staging.argocd.prune, prod.argocd.prune],
            [true, true, false],
            "prod prunes only by hand",
        );
        assert.deepEqual([dev.database.protect, staging.database.protect, prod.database.protect], [false, false, true]);
        assert.equal(prod.app.resources.limits.memory, "1Gi");
    });

    it("lets stack config override any preset field, and validates the merged spec as one", () => {
        const entries = {
            "migrate-first:app": { name: "shop", image: "ghcr.io/acme/shop:v1.2.0", replicas: 5 },
            "migrate-first:database": { host: "db", protect: false },
            "migrate-first:argocd": { repoURL: "https://github.com/acme/gitops.git", prune: true },
        };
        const prod = specFromConfig({ stack: "prod", entries, isSecret: plain });
        assert.deepEqual([prod.app.replicas, prod.database.protect, prod.argocd.prune], [5, false, true]);
        assert.equal(prod.app.resources.requests.cpu, "250m", "the fields not overridden keep the preset's values");

        const shorter = { ...entries, "migrate-first:migration": { activeDeadlineSeconds: 300 } };
        assert.match(
            problems(() => specFromConfig({ stack: "prod", entries: shorter, isSecret: plain })),
            /migrate-first:migration\.statementTimeout: "10min" must be shorter than migration\.activeDeadlineSeconds \(300 s\).* \(the prod preset's value; set your own to change it\)/,
        );
    });

    it("names the environment after the stack as a valid label, whatever the stack is called", () => {
        const entries = {
            "migrate-first:app": { name: "shop", image: "ghcr.io/acme/shop:v1.2.0" },
            "migrate-first:database": { host: "db" },
            "migrate-first:delivery": "direct",
        };
        assert.equal(specFromConfig({ stack: "Prod_EU.west", entries, isSecret: plain }).environment, "prod-eu-west");
    });

    it("treats a stack with an unknown name as prod unless its config names a tier", () => {
        const entries = {
            "migrate-first:app": { name: "shop", image: "ghcr.io/acme/shop:v1.2.0" },
            "migrate-first:database": { host: "db" },
            "migrate-first:delivery": "direct",
        };
        assert.equal(specFromConfig({ stack: "eu-1", entries, isSecret: plain }).tier, "prod");
        assert.equal(specFromConfig({ stack: "eu-1", entries, isSecret: plain }).database.protect, true);
        const qa = specFromConfig({
            stack: "qa",
            entries: { ...entries, "migrate-first:tier": "dev" },
            isSecret: plain,
        });
        assert.deepEqual([qa.tier, qa.app.replicas, qa.database.protect], ["dev", 1, false]);
        assert.match(
            problems(() =>
                specFromConfig({
                    stack: "qa",
                    entries: { ...entries, "migrate-first:tier": "production" },
                    isSecret: plain,
                }),
            ),
            /migrate-first:tier: "production" must be one of "dev", "preview", "staging", "prod"/,
        );
    });
});

describe("images by tier: latest only in dev, staging and prod pinned for good", () => {
    const withImage =
        (stack: string, image: string, extra = {}) =>
        () =>
            parseSpec(specInput({ app: { name: "shop", image }, ...extra }), { stack });
    const preview = { preview: { pr: 12, branch: "feature/x" } };

    it("allows a moving tag in dev only", () => {
        assert.equal(withImage("dev", "ghcr.io/acme/shop:latest")().app.image, "ghcr.io/acme/shop:latest");
        assert.match(
            problems(withImage("pr-12", "ghcr.io/acme/shop:latest", preview)),
            /app\.image: "ghcr\.io\/acme\/shop:latest" moves with every push, so it is refused everywhere but dev; pin it by digest/,
        );
        assert.equal(
            withImage("pr-12", "ghcr.io/acme/shop:pr-12", preview)().app.image,
            "ghcr.io/acme/shop:pr-12",
            "a preview may run its branch's build",
        );
    });

    it("takes only a digest or an immutable tag in staging and prod, naming the fix", () => {
        assert.match(
            problems(withImage("staging", "ghcr.io/acme/shop:main")),
            /app\.image: "ghcr\.io\/acme\/shop:main" has the tag "main", which can move to another build; in staging pin it by digest \("ghcr\.io\/acme\/shop@sha256:\.\.\."\) or by an immutable tag/,
        );
        assert.match(problems(withImage("prod", "ghcr.io/acme/shop:stable")), /in prod pin it by digest/);
        assert.match(problems(withImage("prod", "ghcr.io/acme/shop:latest")), /refused everywhere but dev/);
        const digest = `ghcr.io/acme/shop@sha256:${"a".repeat(64)}`;
        for (const image of [
            digest,
            "ghcr.io/acme/shop:v1.2.0",
            "ghcr.io/acme/shop:2024.06.1-rc.1",
            "ghcr.io/acme/shop:3f2c1ab",
            "ghcr.io/acme/shop:sha-3f2c1abde",
        ]) {
            assert.equal(withImage("prod", image)().app.image, image);
        }
        assert.match(
            problems(() => parseSpec(specInput({ runtime: { postgresImage: "postgres:alpine" } }), { stack: "prod" })),
            /runtime\.postgresImage: "postgres:alpine" has the tag "alpine", which can move to another build; in prod .* \(tier "prod"\)/,
        );
    });
});

describe("preview stacks per pull request", () => {
    const now = new Date("2026-11-25T16:20:00Z");
    const previewEntries = (app: string, branch: string) => ({
        "migrate-first:app": { name: app, image: `ghcr.io/acme/${app}:pr-build` },
        "migrate-first:database": { host: "postgres.previews.internal" },
        "migrate-first:argocd": { repoURL: "https://github.com/acme/shop.git" },
        "migrate-first:preview": { branch, commit: "3f2c1ab9" },
    });

    it("names the namespace, database, roles and Application after the PR, labels them with it and an expiry, and tracks the commit", () => {
        const spec = specFromConfig(
            { stack: "pr-42", entries: previewEntries("shop", "feature/email-verified"), isSecret: plain },
            now,
        );
        assert.deepEqual(
            [spec.tier, spec.environment, spec.app.namespace, spec.database.name, applicationName(spec)],
            ["preview", "pr-42", "shop-pr-42", "shop_pr_42", "shop-pr-42"],
        );
        assert.equal(
            spec.preview?.expiresAt,
            "2026-11-28T17:00:00Z",
            "72 hours after the update, to the next full hour",
        );
        const ns = namespace(spec);
        const app = application(spec);
        for (const object of [ns, app]) {
            validateAgainstSchema(object);
            assert.equal(object.metadata?.labels?.["migrate-first.dev/pr"], "42");
            assert.equal(object.metadata?.labels?.["migrate-first.dev/expires-at"], "20261128T170000Z");
            assert.equal(object.metadata?.labels?.["migrate-first.dev/branch"], "feature-email-verified");
            assert.equal(object.metadata?.annotations?.["migrate-first.dev/branch"], "feature/email-verified");
        }
        assert.equal(app.spec.source?.targetRevision, "3f2c1ab9");
        assert.equal(app.spec.destination.namespace, "shop-pr-42");
        assert.deepEqual(
            app.metadata?.finalizers,
            ["resources-finalizer.argocd.argoproj.io"],
            "destroying the Application deletes what it synced",
        );
        assert.equal(spec.database.protect, false);
    });

    it("gives 50 PRs of long, similar app and branch names 50 distinct, valid names everywhere, the same on every run", () => {
        const names = (pr: number, spec: EnvironmentSpec) => {
            const access = accessPlan(spec);
            const labels = { ...namespace(spec).metadata?.labels, ...application(spec).metadata?.labels };
            return {
                pr,
                namespace: spec.app.namespace,
                database: spec.database.name,
                roles: access.roles.map((r) => r.name),
                application: applicationName(spec),
                labels,
            };
        };
        const all = Array.from({ length: 50 }, (_, i) => {
            // App names at the 40-character limit that differ only at the end; PR numbers with 9 digits.
            const app = `customer-notification-preferences-api-${String.fromCharCode(97 + (i % 25))}${i < 25 ? "x" : "y"}`;
            const pr = 900000000 + (i % 2);
            const branch = `feature/${"really-long-branch-name-".repeat(5)}${i}`;
            return names(
                pr,
                specFromConfig({ stack: `pr-${pr}`, entries: previewEntries(app, branch), isSecret: plain }, now),
            );
        });
        for (const n of all) {
            assert.ok(dnsLabel.test(n.namespace) && n.namespace.length <= 63, n.namespace);
            assert.ok(dnsLabel.test(n.application) && n.application.length <= 63, n.application);
            for (const role of [n.database, ...n.roles])
                assert.ok(identifier.test(role) && Buffer.byteLength(role) <= 63, role);
            for (const value of Object.values(n.labels)) assert.ok(labelValue.test(value) && value.length <= 63, value);
            assert.ok(
                n.database.endsWith(`_pr_${n.pr}`) && n.namespace.endsWith(`-pr-${n.pr}`),
                "shortened names keep the PR number",
            );
        }
        for (const kind of ["namespace", "database", "application"] as const) {
            assert.equal(new Set(all.map((n) => n[kind])).size, 50, `${kind}s are distinct`);
        }
        assert.equal(new Set(all.flatMap((n) => n.roles)).size, 100, "roles are distinct");
        const again = specFromConfig(
            {
                stack: `pr-${all[7]?.pr}`,
                entries: previewEntries(`customer-notification-preferences-api-hx`, "b"),
                isSecret: plain,
            },
            now,
        );
        assert.equal(again.database.name, all[7]?.database, "a name shortens the same way every time");
    });

    it("refuses a preview without its branch, and a pr stack told to be another tier", () => {
        const entries = previewEntries("shop", "x");
        const noBranch = { ...entries, "migrate-first:preview": {} };
        assert.match(
            problems(() => specFromConfig({ stack: "pr-9", entries: noBranch, isSecret: plain })),
            /migrate-first:preview\.branch: is missing/,
        );
        assert.match(
            problems(() =>
                specFromConfig({
                    stack: "pr-9",
                    entries: { ...entries, "migrate-first:tier": "prod" },
                    isSecret: plain,
                }),
            ),
            /migrate-first:tier: "prod" must be "preview" when preview is set/,
        );
        assert.match(
            problems(() =>
                specFromConfig({
                    stack: "pr-9",
                    entries: { ...entries, "migrate-first:preview": { branch: "bad..branch" } },
                    isSecret: plain,
                }),
            ),
            /preview\.branch: "bad\.\.branch" is not a Git branch name/,
        );
    });
});
