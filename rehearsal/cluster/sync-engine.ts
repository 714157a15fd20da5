import { spawn } from "child_process";
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { enginesBin } from "./engines";

/** migrate-first-sync: Argo CD's sync engine over a directory of manifests (engines/sync). */
export const syncBinary = join(enginesBin, "migrate-first-sync");

/** Fails with what to run when migrate-first-sync is missing: never a silent skip. */
export function requireSyncEngine(): void {
    if (!existsSync(syncBinary))
        throw new Error(`${syncBinary} not found: run \`npm run engines\` first (it builds it from engines/sync)`);
}

/** A resource of `migrate-first-sync --json`, in the order the engine applied it (engines/sync/sync.go, Step). */
export interface EngineStep {
    readonly order: number;
    readonly group: string;
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    readonly syncPhase: string;
    readonly wave: number;
    readonly hookType?: string;
    /** The sync status (Synced, SyncFailed, ...). */
    readonly status: string;
    /** How the operation on it ended: Running, Succeeded, Failed... (gitops-engine's OperationPhase). */
    readonly hookPhase?: string;
    readonly message?: string;
    /** The reconcile after which the engine had applied it. */
    readonly appliedIn: number;
    readonly appliedAt: string;
    /** The reconcile after which its operation state was Succeeded, Failed or Error; absent: never. */
    readonly finishedIn?: number;
    readonly finishedAt?: string;
}

/** What the engine reported for one sync operation: its last attempt's steps and phase. */
export interface SyncOutcome {
    readonly phase: string;
    readonly message: string;
    readonly attempts: number;
    readonly steps: readonly EngineStep[];
}

export interface SyncRunOptions {
    /** The Application's destination namespace. Required. */
    readonly namespace: string;
    /** Where the engine writes its record. Required. */
    readonly json: string;
    /** More flags (--retry-limit, --wave-delay...). @default [] */
    readonly flags?: readonly string[];
    /** Each line the engine prints, as it prints it. @default - kept only in `output` */
    readonly onLine?: (line: string) => void;
}

/** Runs one sync operation of the manifests in `dir` on the cluster of `kubeconfig`; the engine's record and its output. */
export async function runSyncEngine(
    kubeconfig: string,
    dir: string,
    options: SyncRunOptions,
): Promise<{ outcome: SyncOutcome; output: string }> {
    requireSyncEngine();
    const args = ["--kubeconfig", kubeconfig, "--namespace", options.namespace, "--json", options.json];
    let output = "";
    let partial = "";
    const lines = (chunk: Buffer) => {
        output += chunk.toString();
        const all = (partial + chunk.toString()).split("\n");
        partial = all.pop() ?? "";
        all.forEach((line) => options.onLine?.(line));
    };
    const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(syncBinary, [...args, ...(options.flags ?? []), dir], {
            stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout.on("data", lines);
        child.stderr.on("data", lines);
        child.on("error", reject);
        child.on("close", resolve);
    });
    if (partial !== "") options.onLine?.(partial);
    if (!existsSync(options.json)) throw new Error(`migrate-first-sync exited ${code} with no outcome:\n${output}`);
    return { outcome: JSON.parse(readFileSync(options.json, "utf8")) as SyncOutcome, output };
}
