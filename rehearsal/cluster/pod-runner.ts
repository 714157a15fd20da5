import type { ChildProcess } from "child_process";
import { spawn } from "child_process";
import { closeSync, existsSync, openSync, readFileSync } from "fs";
import { join } from "path";
import { removeDir, temporaryDir } from "../postgres";
import type { ControlPlane } from "./control-plane";
import { enginesBin, podRunnerImages } from "./engines";

/** Fails with what to run when the pod runner is missing: never a silent skip. */
export function requirePodRunner(bin = enginesBin): void {
    if (!existsSync(join(bin, "pod-runner")))
        throw new Error(
            `pod-runner not found in ${bin}: run \`npm run engines\` first ` +
                "(it builds the node from engines/pod-runner: virtual-kubelet v1.14.1)",
        );
}

/** A node of the control plane whose pods run as local processes (engines/pod-runner). */
export interface PodRunner {
    readonly nodeName: string;
    /** Where each pod's volumes, logs and termination messages are kept; removed by stop(). */
    readonly stateDir: string;
    /** The node's own log, for a failure's diagnosis. */
    log(): string;
    /** Stops the node (it kills its pods' process groups) and removes `stateDir`. */
    stop(): Promise<void>;
}

export interface PodRunnerOptions {
    /** The image mapping. @default engines/pod-runner/images.yaml */
    readonly images?: string;
    /** The Node's name. @default "pod-runner" */
    readonly nodeName?: string;
}

/** Polls `check` every 250 ms until it gives a value; throws naming `what` and the last error after `seconds`. */
export async function poll<T>(what: string, seconds: number, check: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    let last: string | undefined;
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) return value;
        } catch (error) {
            last = error instanceof Error ? error.message : String(error);
        }
        if (Date.now() > deadline)
            throw new Error(`${what}: not after ${seconds}s${last === undefined ? "" : ` (${last})`}`);
        await new Promise((done) => setTimeout(done, 250));
    }
}

interface Node {
    status?: { conditions?: { type: string; status: string }[] };
}

/** Starts the pod runner against `cluster` and waits for its Node to be Ready. */
export async function startPodRunner(cluster: ControlPlane, options: PodRunnerOptions = {}): Promise<PodRunner> {
    requirePodRunner();
    const nodeName = options.nodeName ?? "pod-runner";
    const stateDir = temporaryDir("pod-runner");
    const logFile = join(stateDir, "pod-runner.log");
    const out = openSync(logFile, "a");
    const child: ChildProcess = spawn(
        join(enginesBin, "pod-runner"),
        [
            `--kubeconfig=${cluster.kubeconfig}`,
            `--images=${options.images ?? podRunnerImages}`,
            `--state-dir=${join(stateDir, "pods")}`,
            `--node-name=${nodeName}`,
        ],
        { stdio: ["ignore", out, out] },
    );
    closeSync(out);
    // A process that exits first stops the node: on SIGTERM it kills its pods' process groups itself.
    const killOnExit = () => child.kill("SIGTERM");
    process.once("exit", killOnExit);
    const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
    const stop = async () => {
        process.removeListener("exit", killOnExit);
        if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((done) => child.once("exit", done));
            child.kill("SIGTERM");
            await exited;
        }
        removeDir(stateDir);
    };
    try {
        await poll("the pod runner's node Ready", 60, async () => {
            if (child.exitCode !== null) throw new Error(`pod-runner exited:\n${log()}`);
            const node = await cluster.api.get<Node>(`/api/v1/nodes/${nodeName}`);
            return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true
                ? true
                : undefined;
        });
    } catch (error) {
        await stop();
        throw error;
    }
    return { nodeName, stateDir, log, stop };
}
