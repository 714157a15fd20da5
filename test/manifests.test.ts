import { strict as assert } from "assert";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { application, buildWorkload, namespace, resourcesFinalizer, workloadObjects } from "../manifests";
import { loadRuntimeScripts } from "../runtime";
import { validSpec } from "./helpers/specs";
import { validateAgainstSchema } from "./helpers/kube-schemas";

const scripts = loadRuntimeScripts();
const build = (overrides = {}) => buildWorkload(validSpec(overrides), scripts);
const pod = (o: { spec?: { template?: { spec?: IPodSpec } } }): IPodSpec => o.spec?.template?.spec as IPodSpec;
const containers = (p: IPodSpec): IContainer[] => [...(p.initContainers ?? []), ...p.containers];
const env = (c: IContainer, name: string) => c.env?.find((e) => e.name === name);

describe("workload builders", () => {
    it("produce objects the real Kubernetes and Argo CD schemas accept", () => {
        const command = build({
            migration: { mode: "command", command: ["./migrate"] },
            smoke: { command: ["./smoke"] },
        });
        for (const object of [
            ...workloadObjects(build()),
            command.migrate,
            command.smoke,
            namespace(validSpec()),
            application(validSpec()),
        ]) {
            assert.doesNotThrow(() => validateAgainstSchema(object), `${object.kind} ${object.metadata?.name}`);
        }
    });

    it("take the release from the one image: migrations, app and smoke test", () => {
        const image = "ghcr.io/acme/shop@sha256:" + "a".repeat(64);
        const w = build({ app: { name: "shop", image } });
        const copy = (o: { spec?: { template?: { spec?: IPodSpec } } }) =>
            containers(pod(o)).find((c) => c.name === "copy-migrations");
        assert.equal(copy(w.migrate)?.image, image, "the migration files come from the release's image");
        assert.equal(copy(w.smoke)?.image, image, "the smoke check checks the release's files");
        assert.equal(pod(w.deployment).containers[0].image, image);
        const command = build({ app: { name: "shop", image }, migration: { mode: "command", command: ["./migrate"] } });
        assert.equal(
            pod(command.migrate).containers[0].image,
            image,
            "command mode runs the team's tool in the release's image",
        );
        for (const o of [...workloadObjects(w), ...workloadObjects(command)].filter(
            (o) => o.kind === "Job" || o.kind === "Deployment",
        )) {
            for (const c of containers(pod(o))) {
                assert.ok(
                    [image, "postgres:18.1-alpine", "curlimages/curl:8.17.0"].includes(c.image ?? ""),
                    `${c.name} runs ${c.image}`,
                );
            }
        }
    });

    it("make the migration a fail-fast PreSync hook at wave -1 that waits for the database for real", () => {
        const job = build().migrate;
        assert.deepEqual(job.metadata?.annotations, {
            "argocd.argoproj.io/hook": "PreSync",
            "argocd.argoproj.io/sync-wave": "-1",
            "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
        });
        assert.equal(job.spec?.backoffLimit, 0);
        assert.equal(job.spec?.activeDeadlineSeconds, 300);
        assert.equal(
            job.spec?.ttlSecondsAfterFinished,
            undefined,
            "a TTL would delete a failed migration's Job and its logs before anyone reads them",
        );
        assert.equal(pod(job).restartPolicy, "Never");
        const [wait, copy] = pod(job).initContainers ?? [];
        assert.equal(wait.image, "postgres:18.1-alpine");
        assert.deepEqual(wait.command, ["sh", "/migrate-first/wait-for-db.sh"]);
        assert.deepEqual(env(wait, "PGPASSWORD")?.valueFrom?.secretKeyRef, {
            name: "db-migrator-credentials",
            key: "PGPASSWORD",
        });
        assert.equal(env(wait, "WAIT_TIMEOUT")?.value, "60");
        assert.ok(!JSON.stringify(job).includes("nc -z"));
        assert.deepEqual(copy.command, ["cp", "-R", "/app/migrations/.", "/migrations/"]);
    });

    it("apply the SQL files with migrate.sh: the migrator's libpq Secret, the spec's timeouts, the lock's app", () => {
        const migrate = pod(
            build({ migration: { lockTimeout: "2s", statementTimeout: "1min", lockRetries: 5, allowOutOfOrder: true } })
                .migrate,
        ).containers[0];
        assert.deepEqual(migrate.command, ["sh", "/migrate-first/migrate.sh"]);
        assert.equal(migrate.image, "postgres:18.1-alpine");
        assert.deepEqual(env(migrate, "PGPASSWORD")?.valueFrom?.secretKeyRef, {
            name: "db-migrator-credentials",
            key: "PGPASSWORD",
        });
        const values = Object.fromEntries(
            (migrate.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]),
        );
        assert.deepEqual(values, {
            APP: "shop",
            ENVIRONMENT: "dev",
            RELEASE: "ghcr.io/acme/shop:v1.2.0",
            APP_ROLE: "shop_app",
            LOCK_WAIT: "120",
            MIGRATIONS_DIR: "/migrations",
            LOCK_TIMEOUT: "2s",
            STATEMENT_TIMEOUT: "1min",
            LOCK_RETRIES: "5",
            ALLOW_OUT_OF_ORDER: "true",
        });
        assert.ok(migrate.volumeMounts?.some((v) => v.name === "migrations" && v.readOnly === true));
    });

    it("in command mode, run the team's tool in the app image while a native sidecar holds the lock", () => {
        const job = build({
            migration: { mode: "command", command: ["python", "manage.py", "migrate", "--noinput"] },
        }).migrate;
        const [, lock] = pod(job).initContainers ?? [];
        assert.equal(lock.restartPolicy, "Always", "a native sidecar: it lives as long as the migration");
        assert.deepEqual(lock.command, ["sh", "/migrate-first/migration-lock.sh"]);
        assert.deepEqual(lock.startupProbe?.exec?.command, ["test", "-f", "/run/migrate-first/locked"]);
        assert.equal(lock.startupProbe?.failureThreshold, 150, "the probe outlasts the lock wait");
        const migrate = pod(job).containers[0];
        assert.deepEqual(migrate.command, ["python", "manage.py", "migrate", "--noinput"]);
        assert.deepEqual(env(migrate, "DATABASE_URL")?.valueFrom?.secretKeyRef, {
            name: "db-migrator-credentials",
            key: "url",
        });
        assert.equal(env(migrate, "PGOPTIONS")?.value, "-c lock_timeout=5s -c statement_timeout=4min");
    });

    it("roll the Deployment out at wave 0 without losing capacity, ready only when its probe answers", () => {
        const d = build().deployment;
        assert.equal(d.metadata?.annotations?.["argocd.argoproj.io/sync-wave"], "0");
        assert.equal(d.metadata?.annotations?.["argocd.argoproj.io/hook"], undefined);
        assert.deepEqual(d.spec?.strategy, {
            type: "RollingUpdate",
            rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
        });
        const app = pod(d).containers[0];
        assert.deepEqual(app.readinessProbe, {
            httpGet: { path: "/health", port: "http" },
            initialDelaySeconds: 5,
            periodSeconds: 10,
        });
        assert.deepEqual(app.ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
        assert.deepEqual(env(app, "DATABASE_URL")?.valueFrom?.secretKeyRef, { name: "db-credentials", key: "url" });
        assert.ok(
            Object.entries(d.spec?.selector.matchLabels ?? {}).every(
                ([k, v]) => d.spec?.template.metadata?.labels?.[k] === v,
            ),
            "the selector matches the pod labels",
        );
    });

    it("smoke-test after the rollout (PostSync, wave 1) through the Service, with the app role", () => {
        const w = build();
        assert.deepEqual(w.smoke.metadata?.annotations, {
            "argocd.argoproj.io/hook": "PostSync",
            "argocd.argoproj.io/sync-wave": "1",
            "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation,HookSucceeded",
        });
        const check = pod(w.smoke).containers[0];
        assert.deepEqual(check.command, ["sh", "/migrate-first/smoke-check.sh"]);
        assert.equal(env(check, "HEALTH_URL")?.value, "http://shop.shop.svc:8080/health");
        assert.equal(env(check, "MIGRATIONS_DIR")?.value, "/migrations");
        assert.deepEqual(env(check, "PGPASSWORD")?.valueFrom?.secretKeyRef, {
            name: "db-credentials",
            key: "PGPASSWORD",
        });
        const own = build({ smoke: { command: ["./smoke"] } });
        assert.deepEqual(
            pod(own.smoke).initContainers?.map((c) => c.name),
            ["copy-migrations", "smoke"],
            "the team's own check runs first",
        );
        assert.equal(w.service.spec?.ports?.[0].port, 8080);
    });

    it("alert on SyncFail from the optional webhook Secret", () => {
        const alert = build().syncFail;
        assert.equal(alert.metadata?.annotations?.["argocd.argoproj.io/hook"], "SyncFail");
        const [message] = pod(alert).initContainers ?? [];
        assert.deepEqual(message.command, ["sh", "/migrate-first/alert-message.sh"]);
        assert.deepEqual(env(message, "PGUSER")?.valueFrom?.secretKeyRef, {
            name: "db-migrator-credentials",
            key: "PGUSER",
        });
        const c = pod(alert).containers[0];
        assert.equal(c.image, "curlimages/curl:8.17.0");
        assert.deepEqual(c.command, ["sh", "/migrate-first/alert.sh"]);
        assert.deepEqual(env(c, "WEBHOOK_URL")?.valueFrom?.secretKeyRef, {
            name: "shop-alert-webhook",
            key: "url",
            optional: true,
        });
    });

    it("hold every pod to the restricted Pod Security Standard, with requests and limits", () => {
        const command = build({ migration: { mode: "command", command: ["./migrate"] } }).migrate;
        for (const o of [build().migrate, command, build().deployment, build().smoke, build().syncFail]) {
            const p = pod(o);
            assert.equal(p.securityContext?.runAsNonRoot, true);
            assert.equal(p.securityContext?.seccompProfile?.type, "RuntimeDefault");
            assert.equal(p.automountServiceAccountToken, false);
            for (const c of containers(p)) {
                assert.equal(c.securityContext?.allowPrivilegeEscalation, false, c.name);
                assert.deepEqual(c.securityContext?.capabilities?.drop, ["ALL"], c.name);
                assert.equal(c.securityContext?.runAsNonRoot, true, c.name);
                assert.ok(
                    c.resources?.requests?.cpu &&
                        c.resources?.requests?.memory &&
                        c.resources?.limits?.cpu &&
                        c.resources?.limits?.memory,
                    c.name,
                );
            }
        }
        assert.equal(namespace(validSpec()).metadata?.labels?.["pod-security.kubernetes.io/enforce"], "restricted");
    });

    it('with roles "single", give the migration the app\'s one Secret', () => {
        const w = build({ database: { host: "db", roles: "single" } });
        assert.equal(w.names.migratorSecret, "db-credentials");
        assert.deepEqual(env(pod(w.migrate).containers[0], "PGPASSWORD")?.valueFrom?.secretKeyRef, {
            name: "db-credentials",
            key: "PGPASSWORD",
        });
        assert.equal(env(pod(w.migrate).containers[0], "APP_ROLE"), undefined, "one role: nothing to grant");
    });

    it("keep the scripts ConfigMap's name across releases, so no hook piles up, while an edited script still changes the Jobs", () => {
        const edited = { ...scripts, hash: "0123456789", files: { ...scripts.files, "migrate.sh": "echo edited\n" } };
        const a = buildWorkload(validSpec(), scripts);
        const b = buildWorkload(validSpec({ app: { name: "shop", image: "ghcr.io/acme/shop:v1.3.0" } }), edited);
        // Argo CD never prunes hooks; BeforeHookCreation replaces the live object of the same name.
        for (const w of [a, b]) {
            assert.equal(w.scripts.metadata?.name, "shop-runtime");
            assert.equal(
                w.scripts.metadata?.annotations?.["argocd.argoproj.io/hook-delete-policy"],
                "BeforeHookCreation",
            );
            assert.equal(pod(w.migrate).volumes?.[0].configMap?.name, "shop-runtime");
        }
        for (const job of [b.migrate, b.smoke, b.syncFail])
            assert.equal(job.spec?.template.metadata?.annotations?.["migrate-first.dev/runtime-hash"], "0123456789");
        assert.notDeepEqual(
            a.migrate.spec?.template,
            buildWorkload(validSpec(), edited).migrate.spec?.template,
            "an edited script changes the Job",
        );
        assert.equal(loadRuntimeScripts().hash, scripts.hash, "the hash is stable");
    });

    it("leave nothing behind across releases: every hook of every release has the same name and BeforeHookCreation", () => {
        const releases = ["v1.0.0", "v1.1.0", "v2.0.0"].map((tag, i) =>
            buildWorkload(validSpec({ app: { name: "shop", image: `ghcr.io/acme/shop:${tag}` } }), {
                ...scripts,
                hash: `${i}`.repeat(10),
            }),
        );
        const hookNames = releases.map((w) =>
            workloadObjects(w)
                .filter((o) => o.metadata?.annotations?.["argocd.argoproj.io/hook"] !== undefined)
                .map((o) => `${o.kind}/${o.metadata?.name}`),
        );
        assert.deepEqual(hookNames[1], hookNames[0]);
        assert.deepEqual(hookNames[2], hookNames[0]);
        for (const o of releases.flatMap(workloadObjects)) {
            if (o.metadata?.annotations?.["argocd.argoproj.io/hook"] !== undefined)
                assert.match(
                    o.metadata.annotations["argocd.argoproj.io/hook-delete-policy"] ?? "",
                    /BeforeHookCreation/,
                    `${o.kind}/${o.metadata.name}`,
                );
        }
    });

    it("point the Application at the Git path, with the resources finalizer", () => {
        const app = application(
            validSpec({
                argocd: { repoURL: "https://github.com/acme/gitops.git", targetRevision: "main", retryLimit: 3 },
            }),
        );
        assert.deepEqual(app.metadata.finalizers, [resourcesFinalizer]);
        assert.equal(app.metadata.namespace, "argocd");
        assert.deepEqual(app.spec?.source, {
            repoURL: "https://github.com/acme/gitops.git",
            path: "deploy/dev/shop",
            targetRevision: "main",
        });
        assert.deepEqual(app.spec?.destination, { server: "https://kubernetes.default.svc", namespace: "shop" });
        assert.equal(app.spec?.project, "default");
        assert.deepEqual(app.spec?.syncPolicy?.automated, { prune: true, selfHeal: true });
        assert.equal(app.spec?.syncPolicy?.retry?.limit, 3);
        assert.equal(
            application(validSpec({ argocd: { repoURL: "https://x.test/r.git", automated: false } })).spec?.syncPolicy
                ?.automated,
            undefined,
        );
    });
});
