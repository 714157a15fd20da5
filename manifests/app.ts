import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IService } from "kubernetes-models/v1/Service";
import type { EnvironmentSpec } from "../environment-schema";
import type { WorkloadNames } from "./names";
import { labels, selector } from "./names";
import { placements, syncAnnotations } from "./hooks";
import { appContainer, podSecurity, secretEnv } from "./pod";

/** Wave 0, after the migration: the new code, rolled out without dropping capacity. */
export function deployment(spec: EnvironmentSpec, names: WorkloadNames): IDeployment {
    const app = spec.app;
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: {
            name: names.deployment,
            namespace: names.namespace,
            labels: labels(spec, "app"),
            annotations: syncAnnotations(placements.app),
        },
        spec: {
            replicas: app.replicas,
            strategy: {
                type: "RollingUpdate",
                rollingUpdate: { maxSurge: app.maxSurge, maxUnavailable: app.maxUnavailable },
            },
            selector: { matchLabels: selector(spec) },
            template: {
                metadata: { labels: labels(spec, "app") },
                spec: {
                    automountServiceAccountToken: false,
                    securityContext: podSecurity(app.runAsUser),
                    containers: [
                        appContainer(spec, "app", {
                            ...(app.command === undefined ? {} : { command: app.command }),
                            ports: [{ name: "http", containerPort: app.port, protocol: "TCP" }],
                            readinessProbe: {
                                httpGet: { path: app.healthPath, port: "http" },
                                initialDelaySeconds: app.readinessInitialDelaySeconds,
                                periodSeconds: app.readinessPeriodSeconds,
                            },
                            env: [secretEnv("DATABASE_URL", names.appSecret, "url")],
                        }),
                    ],
                },
            },
        },
    };
}

/** The app's ClusterIP Service; the smoke test reaches the app through it, as clients do. */
export function service(spec: EnvironmentSpec, names: WorkloadNames): IService {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
            name: names.service,
            namespace: names.namespace,
            labels: labels(spec, "app"),
            annotations: syncAnnotations(placements.app),
        },
        spec: {
            type: "ClusterIP",
            selector: selector(spec),
            ports: [{ name: "http", port: spec.app.port, targetPort: "http", protocol: "TCP" }],
        },
    };
}
