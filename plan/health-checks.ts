// Which objects Argo CD health-checks during a sync, and what Healthy means for each. A task
// with a health check holds its wave until Healthy (or fails the sync when Degraded); one
// without is done once applied (ge: pkg/sync/sync_context.go Sync, "no health check → Succeeded").
import { argocdLuaHealthChecks } from "./argocd-lua-health";

/** The object fields a health check's meaning depends on. */
export interface HealthSubject {
    readonly group: string;
    readonly kind: string;
    readonly spec?: unknown;
}

const field = (spec: unknown, key: string): unknown =>
    typeof spec === "object" && spec !== null ? (spec as Record<string, unknown>)[key] : undefined;

// ge: pkg/health/health.go GetHealthCheckFunc, keyed by group and kind; each condition from its
// health_<kind>.go.
function engineCheck(subject: HealthSubject): string | undefined {
    const { group, kind, spec } = subject;
    const checks: Record<string, Record<string, () => string>> = {
        apps: {
            Deployment: () => "Healthy (every replica updated and available)",
            StatefulSet: () => "Healthy (every replica ready and updated)",
            ReplicaSet: () => "Healthy (every replica available)",
            DaemonSet: () => "Healthy (every scheduled pod updated and available)",
        },
        extensions: { Ingress: () => "Healthy (the load balancer has an address)" },
        "networking.k8s.io": { Ingress: () => "Healthy (the load balancer has an address)" },
        "argoproj.io": { Workflow: () => "Succeeded" },
        "apiregistration.k8s.io": { APIService: () => "Available" },
        "": {
            // Only a LoadBalancer waits (for its address); any other Service is Healthy at once.
            Service: () =>
                field(spec, "type") === "LoadBalancer"
                    ? "Healthy (the load balancer has an address)"
                    : "Healthy (at once: not a LoadBalancer)",
            PersistentVolumeClaim: () => "Bound",
            // The API server defaults restartPolicy to Always: such a pod must run and be ready;
            // a run-to-completion pod (Never, OnFailure) stays Progressing until it Succeeded.
            Pod: () =>
                (field(spec, "restartPolicy") ?? "Always") === "Always" ? "Healthy (running and ready)" : "Succeeded",
        },
        batch: { Job: () => "Complete" },
        autoscaling: { HorizontalPodAutoscaler: () => "Healthy (able to scale)" },
    };
    return checks[group]?.[kind]?.();
}

// argo-cd util/lua/lua.go GetConfigMapKey: "Kind" for the core group, else "group/Kind".
const configMapKey = (s: HealthSubject) => (s.group === "" ? s.kind : `${s.group}/${s.kind}`);

// A key with "_" (built-in) or "*" (resource.customizations) matches any run of characters but "/".
function keyMatches(pattern: string, key: string): boolean {
    if (!/[_*]/.test(pattern)) return pattern === key;
    const source = pattern
        .split(/[_*]/)
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*");
    return new RegExp(`^${source}$`).test(key);
}

/**
 * What Healthy means for this object during a sync, or undefined when Argo CD has no health
 * check for it. Argo CD's health override comes first, as the engine asks it first
 * (ge: pkg/health/health.go GetResourceHealth): the instance's own `resource.customizations`
 * health checks (`custom`, "group/Kind" keys, `*` wildcards), then the health.lua files Argo CD
 * ships, then the engine's built-in checks.
 */
export function healthCheck(subject: HealthSubject, custom: readonly string[] = []): string | undefined {
    const key = configMapKey(subject);
    if (subject.kind !== "" && custom.some((pattern) => keyMatches(pattern, key)))
        return `Healthy (the custom health check for ${key})`;
    if (subject.kind !== "" && argocdLuaHealthChecks.some((pattern) => keyMatches(pattern, key)))
        return `Healthy (Argo CD's health.lua for ${key})`;
    return engineCheck(subject);
}
