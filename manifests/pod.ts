import type { IContainer } from "kubernetes-models/v1/Container";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import type { IVolume } from "kubernetes-models/v1/Volume";
import type { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import type { EnvironmentSpec } from "../environment-schema";
import type { ScriptName } from "../runtime";
import { scriptsMountPath } from "../runtime";

// The Kubernetes "restricted" Pod Security Standard, at pod and container level.
// @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
export function podSecurity(runAsUser: number): IPodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser,
        runAsGroup: runAsUser,
        fsGroup: runAsUser,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

const containerSecurity: ISecurityContext = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** A value from a Secret: the only way credentials reach a container. */
export function secretEnv(name: string, secret: string, key: string, optional?: boolean): IEnvVar {
    return {
        name,
        valueFrom: { secretKeyRef: { name: secret, key, ...(optional === undefined ? {} : { optional }) } },
    };
}

/** libpq's variables from a credentials Secret, so psql never sees a URL on its command line. */
export function libpqEnv(secret: string): IEnvVar[] {
    return ["PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE"].map((key) =>
        secretEnv(key, secret, key),
    );
}

/** A container running the app's one image, with the app's limits and non-secret env. */
export function appContainer(
    spec: EnvironmentSpec,
    name: string,
    extra: Omit<IContainer, "name" | "image">,
): IContainer {
    const env = Object.entries(spec.app.env).map(([key, value]): IEnvVar => ({ name: key, value }));
    return {
        name,
        image: spec.app.image,
        ...extra,
        env: [...env, ...(extra.env ?? [])],
        resources: { requests: { ...spec.app.resources.requests }, limits: { ...spec.app.resources.limits } },
        securityContext: { ...containerSecurity, runAsUser: spec.app.runAsUser },
    };
}

const toolResources = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } };

/**
 * A container running one of our runtime scripts, by default in the postgres image (psql,
 * wget), with a read-only root filesystem, the scripts and a scratch /tmp.
 */
export function toolContainer(
    spec: EnvironmentSpec,
    name: string,
    script: ScriptName,
    env: IEnvVar[],
    extra: Partial<IContainer> = {},
): IContainer {
    return {
        name,
        image: spec.runtime.postgresImage,
        command: ["sh", `${scriptsMountPath}/${script}`],
        env,
        resources: toolResources,
        ...extra,
        volumeMounts: [scriptsMount, { name: "tmp", mountPath: "/tmp" }, ...(extra.volumeMounts ?? [])],
        securityContext: { ...containerSecurity, runAsUser: spec.runtime.postgresUser, readOnlyRootFilesystem: true },
    };
}

const scriptsMount: IVolumeMount = { name: "runtime", mountPath: scriptsMountPath, readOnly: true };

/** The scripts ConfigMap, a scratch /tmp (the tool containers' root filesystem is read-only), and any shared emptyDirs. */
export function runtimeVolumes(configMap: string, shared: readonly string[] = []): IVolume[] {
    return [
        { name: "runtime", configMap: { name: configMap, defaultMode: 0o555 } },
        { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
        ...shared.map((name): IVolume => ({ name, emptyDir: { sizeLimit: "64Mi" } })),
    ];
}
