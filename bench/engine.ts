// npm run bench (third part): the real Pulumi engine (`npm run engines`) on a real Postgres,
// beside the SDK's mock runtime running the same program: `pulumi preview` and `pulumi up`
// wall time for the dev stack and for self-service stacks of 1, 10 and 50 environments, cold
// (a new stack: everything created) and warm (nothing to change). Printed, never asserted.
import { spawnSync } from "child_process";
import { join } from "path";
import { engineBinaries } from "../e2e/helpers/engines";
import { enginesBin } from "../rehearsal/cluster/engines";
import { PulumiProject } from "../e2e/helpers/project";
import type { E2eServer } from "../e2e/helpers/server";
import { platformAdmin, stackConfigFor, startServer } from "../e2e/helpers/server";
import { runProgram, stackConfig } from "../test/helpers/program";
import { benchTeams, requestFolder } from "./requests";

const sizes = [1, 10, 50];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const row = (cells: string[]) =>
    console.log(`    ${cells.map((c, i) => (i === 0 ? c.padEnd(16) : c.padStart(11))).join(" ")}`);

async function timed(project: PulumiProject, args: string[]): Promise<number> {
    const started = Date.now();
    await project.must(args);
    return Date.now() - started;
}

/** The mock runtime's wall time for the same program, in a process of its own (as `pulumi` starts one). */
function mockMs(args: string[]): number | string {
    const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", ...args], {
        encoding: "utf8",
        cwd: join(__dirname, ".."),
    });
    const line = child.stdout.trim().split("\n").pop() ?? "";
    return child.status === 0 && line.startsWith("{")
        ? (JSON.parse(line) as { ms: number }).ms
        : `failed: ${child.stderr.trim().split("\n").pop() ?? ""}`;
}

/** preview and up on a new stack, then again with nothing to change. */
async function coldAndWarm(project: PulumiProject, stack: string): Promise<number[]> {
    const previewCold = await timed(project, ["preview", "--stack", stack]);
    const upCold = await timed(project, ["up", "--yes", "--skip-preview", "--stack", stack]);
    const previewWarm = await timed(project, ["preview", "--stack", stack]);
    const upWarm = await timed(project, ["up", "--yes", "--skip-preview", "--expect-no-changes", "--stack", stack]);
    return [previewCold, upCold, previewWarm, upWarm];
}

async function devStack(server: E2eServer): Promise<void> {
    const project = new PulumiProject("bench-dev");
    project.writeStack(
        "dev",
        stackConfigFor("dev", server, { kubernetes: { renderDirectory: join(project.home, "rendered") } }),
    );
    await project.initStack("dev", { databaseAdminPassword: server.adminPassword });
    const figures = await coldAndWarm(project, "dev");
    const mock = mockMs([__filename, "--mock-dev"]);
    row(["dev stack", ...figures.map(seconds), typeof mock === "number" ? seconds(mock) : mock]);
}

async function selfService(server: E2eServer, count: number): Promise<number[]> {
    const project = new PulumiProject(`bench-self-service-${count}`);
    const directory = requestFolder(count, project.dir);
    project.writeStack("platform", {
        selfService: {
            directory,
            tier: "dev",
            registries: ["ghcr.io/acme/"],
            teams: benchTeams,
            database: { host: "127.0.0.1", port: server.pg.port, adminUser: platformAdmin, sslmode: "disable" },
            argocd: { repoURL: "https://github.com/acme/gitops.git" },
            kubernetes: { renderDirectory: join(project.home, "rendered") },
        },
    });
    await project.initStack("platform", { databaseAdminPassword: server.adminPassword });
    const figures = await coldAndWarm(project, "platform");
    const mock = mockMs([join(__dirname, "self-service.ts"), "--child", String(count)]);
    row([
        `self-service ${count}`,
        ...figures.map(seconds),
        typeof mock === "number" ? seconds(mock) : mock,
        seconds((figures[1] ?? 0) / count),
    ]);
    return figures;
}

async function main(): Promise<void> {
    console.log(
        "\nThe real Pulumi engine (CLI v3.248.0, our language host, the providers of engines/) on an embedded Postgres 18",
    );
    const missing = engineBinaries.filter((name) => spawnSync("test", ["-x", join(enginesBin, name)]).status !== 0);
    if (missing.length > 0) {
        console.log(`  not measured: ${missing.join(", ")} missing; run npm run engines first`);
        return;
    }
    const server = await startServer("bench-admin");
    try {
        row(["", "preview", "up", "preview", "up", "mock", "up per"]);
        row(["program", "(new)", "(new)", "(same)", "(same)", "runtime", "env"]);
        await devStack(server);
        const ups = new Map<number, number>();
        for (const count of sizes) {
            // A server of its own per size: the request files of every size share app names.
            const own = await startServer("bench-admin");
            try {
                ups.set(count, (await selfService(own, count))[1] ?? NaN);
            } finally {
                await own.pg.stop();
            }
        }
        const [one, fifty] = [ups.get(1) ?? NaN, ups.get(50) ?? NaN];
        console.log(
            `    a new stack's up, per environment, 50 against 1: ${(fifty / 50 / one).toFixed(2)}x (1.00x is linear in environments)`,
        );
    } finally {
        await server.pg.stop();
    }
}

/** In a child process: the dev stack's program under the mock runtime, timed. */
async function mockDev(): Promise<void> {
    const started = process.hrtime.bigint();
    const { error } = await runProgram(stackConfig("dev"));
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows whatever the program threw; the catch below prints any value
    if (error !== undefined) throw error;
    console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - started) / 1e6 }));
}

(process.argv[2] === "--mock-dev" ? mockDev() : main()).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
});
