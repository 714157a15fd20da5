import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { resolve } from "path";
import type { EnvironmentSpec } from "../environment-schema";

/**
 * The Kubernetes provider a stack's objects go through when `kubernetes.renderDirectory` is
 * set: it writes them as YAML under that directory (`1-manifest/<apiVersion>-<kind>-<namespace>-<name>.yaml`)
 * instead of applying them. Undefined otherwise: the default provider, the current kubeconfig context.
 */
export function kubernetesProvider(
    spec: EnvironmentSpec,
    name: string,
    opts?: pulumi.CustomResourceOptions,
): k8s.Provider | undefined {
    const dir = spec.kubernetes.renderDirectory;
    if (dir === undefined) return undefined;
    // Relative to where `pulumi` runs (the project directory), as every other path in the config.
    // The SDK fills `kubeconfig` from $KUBECONFIG, and the provider refuses any kubeconfig in
    // render mode ("not compatible with renderYamlToDirectory"): an empty one keeps it out.
    return new k8s.Provider(`${name}-kubernetes`, { renderYamlToDirectory: resolve(dir), kubeconfig: "" }, opts);
}
