// npm run bench (fourth part): the throwaway Kubernetes control plane of e2e/control-plane.test.ts
// (etcd, kube-apiserver, kube-controller-manager, kube-scheduler from `npm run engines`): the time
// until each component is ready on a cold start (new certificates, empty etcd; the first start
// also reads the binaries from disk), and on a warm one (a restart on the same certificates and
// etcd data), and how long a stop takes; then one full sync of the dev stack on it
// (`rehearse --control-plane`) beside the local rehearsal (`npm start`). Printed, never asserted.
import { controlPlaneBinaries, requireControlPlane, startControlPlane } from "../rehearsal/cluster/control-plane";
import { rehearseOnControlPlane } from "../rehearsal/cluster/real-sync";
import { removeDir } from "../rehearsal/postgres";
import { rehearse } from "../rehearsal/sync";
import { readStackFile, specFromConfig } from "../stacks/config";

const quiet = () => undefined;
const seconds = (ms: number | undefined) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`);
const row = (cells: string[]) =>
    console.log(`    ${cells.map((c, i) => (i === 0 ? c.padEnd(34) : c.padStart(18))).join(" ")}`);

async function main(): Promise<void> {
    requireControlPlane();
    console.log("control plane (k8s v1.36.3, etcd v3.6.16): seconds until each component is ready, and to stop");
    row(["start", ...controlPlaneBinaries.map((name) => name.replace(/^kube-/, "")), "stop"]);
    const measure = async (label: string, dir?: string, keepDir = false): Promise<string> => {
        const cluster = await startControlPlane({ log: quiet, dir });
        const stopping = Date.now();
        await cluster.stop({ keepDir });
        row([
            label,
            ...controlPlaneBinaries.map((name) => seconds(cluster.ready.get(name))),
            seconds(Date.now() - stopping),
        ]);
        return cluster.dir;
    };
    const first = await measure("cold, first in this process", undefined, true);
    await measure("cold, another new cluster");
    await measure("warm, restart on the first's data", first, true);
    await measure("warm, again", first);
    removeDir(first);
    await fullSync();
}

/** One full sync of the dev stack, for real and rehearsed locally: wall time, median of `runs`. */
async function fullSync(runs = 3): Promise<void> {
    const spec = specFromConfig(readStackFile(".", "dev"));
    const releases = [{ image: spec.app.image, migrationsDir: spec.migration.directory }];
    const median = async (run: () => Promise<boolean>): Promise<string> => {
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
            const started = Date.now();
            if (!(await run())) return "failed";
            times.push(Date.now() - started);
        }
        return seconds(times.sort((a, b) => a - b)[Math.floor(runs / 2)]);
    };
    const local = await median(async () => (await rehearse(spec, { releases, log: quiet })).failed === undefined);
    const real = await median(async () =>
        (await rehearseOnControlPlane(spec, { releases, log: quiet })).releases.every(
            (r) => r.outcome.phase === "Succeeded",
        ),
    );
    console.log(`one full sync of the dev stack, wall time (median of ${runs}, Postgres start included)`);
    row(["npm start (the local rehearsal)", local]);
    row(["rehearse --control-plane", real]);
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
