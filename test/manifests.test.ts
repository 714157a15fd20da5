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
        for (const object of [...workloadObjects(build()), namespace(validSpec()), application(validSpec())]) {
            assert.doesNotThrow(() => validateAgainstSchema(object), `${object.kind} ${object.metadata?.name}`);
        }
    });

    it("run the migration, the app and the smoke test from the one image", () => {
        const w = build({ app: { name: "shop", image: "ghcr.io/acme/shop@sha256:" + "a".repeat(64) } });
        const images = [w.migrate, w.deployment, w.smoke].map((o) => pod(o).containers[0].image);
        assert.deepEqual(images, Array(3).fill("ghcr.io/acme/shop@sha256:" + "a".repeat(64)));
        for (const o of workloadObjects(w).filter((o) => o.kind !== "ConfigMap" && o.kind !== "Service")) {
            for (const c of containers(pod(o as never))) {
                assert.ok([w.deployment.spec?.template.spec?.containers[0].image, "postgres:18.1-alpine"].includes(c.image), `${c.name} runs ${c.image}`);
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
        assert.equal(job.spec?.ttlSecondsAfterFinished, undefined, "a TTL makes Argo CD wait for a vanished hook (argo-cd #6880)");
        assert.equal(pod(job).restartPolicy, "Never");
        const [wait] = pod(job).initContainers ?? [];
        assert.equal(wait.image, "postgres:18.1-alpine");
        assert.deepEqual(wait.command, ["sh", "/migrate-first/wait-for-db.sh"]);
        assert.deepEqual(env(wait, "PGPASSWORD")?.valueFrom?.secretKeyRef, { name: "db-migrator-credentials", key: "PGPASSWORD" });
        assert.equal(env(wait, "WAIT_TIMEOUT")?.value, "60");
        assert.ok(!JSON.stringify(job).includes("nc -z"));
        const migrate = pod(job).containers[0];
        assert.deepEqual(migrate.command, ["python", "manage.py", "migrate", "--noinput"]);
        assert.deepEqual(env(migrate, "DATABASE_URL")?.valueFrom?.secretKeyRef, { name: "db-migrator-credentials", key: "url" });
    });

    it("roll the Deployment out at wave 0 without losing capacity, ready only when its probe answers", () => {
        const d = build().deployment;
        assert.equal(d.metadata?.annotations?.["argocd.argoproj.io/sync-wave"], "0");
        assert.equal(d.metadata?.annotations?.["argocd.argoproj.io/hook"], undefined);
        assert.deepEqual(d.spec?.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
        const app = pod(d).containers[0];
        assert.deepEqual(app.readinessProbe, { httpGet: { path: "/health", port: "http" }, initialDelaySeconds: 5, periodSeconds: 10 });
        assert.deepEqual(app.ports, [{ name: "http", containerPort: 8080, protocol: "TCP" }]);
        assert.deepEqual(env(app, "DATABASE_URL")?.valueFrom?.secretKeyRef, { name: "db-credentials", key: "url" });
        assert.ok(Object.entries(d.spec?.selector.matchLabels ?? {}).every(([k, v]) => d.spec?.template.metadata?.labels?.[k] === v), "the selector matches the pod labels");
    });

    it("smoke-test after the rollout (PostSync, wave 1) through the Service, with the app role", () => {
        const w = build();
        assert.deepEqual(w.smoke.metadata?.annotations, {
            "argocd.argoproj.io/hook": "PostSync",
            "argocd.argoproj.io/sync-wave": "1",
            "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation,HookSucceeded",
        });
        const check = pod(w.smoke).containers[0];
        assert.equal(env(check, "HEALTH_URL")?.value, "http://shop.shop.svc:8080/health");
        assert.deepEqual(env(check, "DATABASE_URL")?.valueFrom?.secretKeyRef, { name: "db-credentials", key: "url" });
        assert.equal(w.service.spec?.ports?.[0].port, 8080);
    });

    it("alert on SyncFail from the optional webhook Secret", () => {
        const alert = build().syncFail;
        assert.equal(alert.metadata?.annotations?.["argocd.argoproj.io/hook"], "SyncFail");
        const c = pod(alert).containers[0];
        assert.deepEqual(env(c, "WEBHOOK_URL")?.valueFrom?.secretKeyRef, { name: "shop-alert-webhook", key: "url", optional: true });
    });

    it("hold every pod to the restricted Pod Security Standard, with requests and limits", () => {
        for (const o of [build().migrate, build().deployment, build().smoke, build().syncFail]) {
            const p = pod(o);
            assert.equal(p.securityContext?.runAsNonRoot, true);
            assert.equal(p.securityContext?.seccompProfile?.type, "RuntimeDefault");
            assert.equal(p.automountServiceAccountToken, false);
            for (const c of containers(p)) {
                assert.equal(c.securityContext?.allowPrivilegeEscalation, false, c.name);
                assert.deepEqual(c.securityContext?.capabilities?.drop, ["ALL"], c.name);
                assert.equal(c.securityContext?.runAsNonRoot, true, c.name);
                assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory && c.resources?.limits?.cpu && c.resources?.limits?.memory, c.name);
            }
        }
        assert.equal(namespace(validSpec()).metadata?.labels?.["pod-security.kubernetes.io/enforce"], "restricted");
    });

    it("with roles \"single\", give the migration the app's one Secret", () => {
        const w = build({ database: { host: "db", roles: "single" } });
        assert.equal(w.names.migratorSecret, "db-credentials");
        assert.deepEqual(env(pod(w.migrate).containers[0], "DATABASE_URL")?.valueFrom?.secretKeyRef, { name: "db-credentials", key: "url" });
    });

    it("name the scripts ConfigMap by content, so an edited script rolls the Jobs", () => {
        const edited = { ...scripts, hash: "0123456789" };
        const a = buildWorkload(validSpec(), scripts);
        const b = buildWorkload(validSpec(), edited);
        assert.match(a.scripts.metadata?.name ?? "", /^shop-runtime-[0-9a-f]{10}$/);
        assert.notEqual(a.scripts.metadata?.name, b.scripts.metadata?.name);
        assert.equal(pod(b.migrate).volumes?.[0].configMap?.name, "shop-runtime-0123456789");
        assert.equal(loadRuntimeScripts().hash, scripts.hash, "the hash is stable");
    });

    it("point the Application at the Git path, with the resources finalizer", () => {
        const app = application(validSpec({ argocd: { repoURL: "https://github.com/acme/gitops.git", targetRevision: "main", retryLimit: 3 } }));
        assert.deepEqual(app.metadata.finalizers, [resourcesFinalizer]);
        assert.equal(app.metadata.namespace, "argocd");
        assert.deepEqual(app.spec?.source, { repoURL: "https://github.com/acme/gitops.git", path: "deploy/dev/shop", targetRevision: "main" });
        assert.deepEqual(app.spec?.destination, { server: "https://kubernetes.default.svc", namespace: "shop" });
        assert.equal(app.spec?.project, "default");
        assert.deepEqual(app.spec?.syncPolicy?.automated, { prune: true, selfHeal: true });
        assert.equal(app.spec?.syncPolicy?.retry?.limit, 3);
        assert.equal(application(validSpec({ argocd: { repoURL: "https://x.test/r.git", automated: false } })).spec?.syncPolicy?.automated, undefined);
    });
});
