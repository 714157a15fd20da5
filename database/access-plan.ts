import type { EnvironmentSpec } from "../environment-schema";

/** A role the environment logs in as. */
export interface RolePlan {
    readonly name: string;
    /** "migrator" owns the schema (DDL); "app" has DML only; with roles "single", one "migrator" does both. */
    readonly purpose: "migrator" | "app";
}

/** GRANT (or, with no privileges, REVOKE ALL) on one class of objects. */
export interface GrantPlan {
    readonly role: string;
    readonly objectType: "database" | "schema" | "table" | "sequence";
    readonly privileges: readonly string[];
}

/** ALTER DEFAULT PRIVILEGES: what `owner` creates later in the schema, `role` may use. */
export interface DefaultPrivilegesPlan {
    readonly owner: string;
    readonly role: string;
    readonly objectType: "table" | "sequence";
    readonly privileges: readonly string[];
}

/** Who may do what in the environment's database: the one definition the component and the rehearsal both apply. */
export interface AccessPlan {
    readonly database: string;
    readonly schema: string;
    readonly roles: readonly RolePlan[];
    /** The role that owns the schema and runs migrations. */
    readonly migrator: string;
    /** The role the app connects as (the migrator with roles "single"). */
    readonly app: string;
    readonly grants: readonly GrantPlan[];
    readonly defaultPrivileges: readonly DefaultPrivilegesPlan[];
}

const dml = ["SELECT", "INSERT", "UPDATE", "DELETE"] as const;
const sequenceUse = ["USAGE", "SELECT", "UPDATE"] as const;

export function accessPlan(spec: EnvironmentSpec): AccessPlan {
    const database = spec.database.name;
    const schema = spec.database.schema;
    const migrator = `${database}_migrator`;
    // The migrator may create schemas (its own history table lives in one) but does
    // not own the database, so it cannot drop it.
    const common: GrantPlan[] = [
        { role: "public", objectType: "database", privileges: [] },
        { role: migrator, objectType: "database", privileges: ["CONNECT", "CREATE", "TEMPORARY"] },
    ];
    if (spec.database.roles === "single") {
        return {
            database,
            schema,
            roles: [{ name: migrator, purpose: "migrator" }],
            migrator,
            app: migrator,
            grants: common,
            defaultPrivileges: [],
        };
    }
    const app = `${database}_app`;
    return {
        database,
        schema,
        roles: [
            { name: migrator, purpose: "migrator" },
            { name: app, purpose: "app" },
        ],
        migrator,
        app,
        grants: [
            ...common,
            { role: app, objectType: "database", privileges: ["CONNECT"] },
            { role: app, objectType: "schema", privileges: ["USAGE"] },
            { role: app, objectType: "table", privileges: dml },
            { role: app, objectType: "sequence", privileges: sequenceUse },
        ],
        defaultPrivileges: [
            { owner: migrator, role: app, objectType: "table", privileges: dml },
            { owner: migrator, role: app, objectType: "sequence", privileges: sequenceUse },
        ],
    };
}
