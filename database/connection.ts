import type { EnvironmentSpec } from "../environment-schema";

/** Where pods reach the database; the password is added by the caller, as a secret. */
export interface ConnectionTarget {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly sslmode: string;
}

export function clusterTarget(spec: EnvironmentSpec): ConnectionTarget {
    return {
        host: spec.database.clusterHost,
        port: spec.database.port,
        database: spec.database.name,
        sslmode: spec.database.sslmode,
    };
}

/** The Secret's keys: `url` for the app, and libpq's variables so psql never needs the URL on a command line. */
export function credentialEntries(target: ConnectionTarget, user: string, password: string): Record<string, string> {
    // An IPv6 literal needs brackets in a URL.
    const host = target.host.includes(":") ? `[${target.host}]` : target.host;
    const url = `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${target.port}/${encodeURIComponent(target.database)}?sslmode=${target.sslmode}`;
    return {
        url,
        PGHOST: target.host,
        PGPORT: String(target.port),
        PGDATABASE: target.database,
        PGUSER: user,
        PGPASSWORD: password,
        PGSSLMODE: target.sslmode,
    };
}
