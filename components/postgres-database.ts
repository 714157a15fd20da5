import * as pulumi from "@pulumi/pulumi";
import * as postgresql from "@pulumi/postgresql";
import * as random from "@pulumi/random";
import type { AccessPlan } from "../database";

export interface PostgresDatabaseArgs {
    /** Who may do what: from `accessPlan(spec)`. Required. */
    readonly access: AccessPlan;
    /** Server Pulumi connects to as admin. Required. */
    readonly server: {
        readonly host: string;
        readonly port: number;
        readonly adminUser: string;
        readonly sslmode: string;
    };
    /** The admin role's password; kept secret. Required. */
    readonly adminPassword: pulumi.Input<string>;
    /** A provider for `server` shared with other databases on it (self-service), used instead of one of its own. @default - its own */
    readonly provider?: postgresql.Provider;
    /** Protect the database, schema and roles from deletion, and leave them on the server on destroy (`database.protect`). @default false */
    readonly protect?: boolean;
}

/**
 * Pulumi's admin connection to a Postgres server. Managed servers (RDS, Cloud SQL) give no
 * superuser; the connection cap keeps many environments on one server from exhausting its
 * max_connections during an update.
 */
export function postgresProvider(
    name: string,
    server: PostgresDatabaseArgs["server"],
    adminPassword: pulumi.Input<string>,
    opts?: pulumi.CustomResourceOptions,
): postgresql.Provider {
    return new postgresql.Provider(
        name,
        {
            host: server.host,
            port: server.port,
            username: server.adminUser,
            password: pulumi.secret(adminPassword),
            sslmode: server.sslmode,
            superuser: false,
            maxConnections: 10,
        },
        opts,
    );
}

/**
 * The database, its roles and their grants on an existing Postgres server.
 * Role passwords are born secret: the provider marks them, and so do we, so they
 * stay secret under the mock runtime too.
 */
export class PostgresDatabase extends pulumi.ComponentResource {
    /** Role name to its password (secret). */
    readonly passwords: Readonly<Record<string, pulumi.Output<string>>>;
    readonly databaseName: pulumi.Output<string>;

    constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("migrate-first:db:PostgresDatabase", name, {}, opts);
        const { access, server } = args;
        const provider =
            args.provider ?? postgresProvider(`${name}-server`, server, args.adminPassword, { parent: this });
        const child = { parent: this, provider };
        // What holds the data: refused deletion, and kept on the server if the stack goes.
        const kept = { ...child, protect: args.protect ?? false, retainOnDelete: args.protect ?? false };

        const passwords: Record<string, pulumi.Output<string>> = {};
        const roles = access.roles.map((role) => {
            const password = new random.RandomPassword(
                `${name}-${role.purpose}-password`,
                { length: 32, special: false },
                { parent: this, additionalSecretOutputs: ["result"] },
            );
            passwords[role.name] = pulumi.secret(password.result);
            return new postgresql.Role(
                `${name}-${role.purpose}`,
                {
                    name: role.name,
                    login: true,
                    password: passwords[role.name],
                    searchPaths: [access.schema, "public"],
                },
                kept,
            );
        });

        const database = new postgresql.Database(name, { name: access.database }, { ...kept, dependsOn: roles });
        // An unprotected environment is destroyed whole (a preview's, dev's): its schema goes
        // with the tables migrations made in it, or the drop stops at the first one.
        const schema = new postgresql.Schema(
            `${name}-schema`,
            {
                name: access.schema,
                database: database.name,
                owner: access.migrator,
                dropCascade: !(args.protect ?? false),
            },
            { ...kept, dependsOn: roles },
        );
        const after = { ...child, dependsOn: [database, schema, ...roles] };
        access.grants.forEach((grant) => {
            new postgresql.Grant(
                `${name}-${grant.role}-${grant.objectType}`,
                {
                    database: database.name,
                    role: grant.role,
                    objectType: grant.objectType,
                    privileges: [...grant.privileges],
                    ...(grant.objectType === "database" ? {} : { schema: schema.name }),
                },
                after,
            );
        });
        access.defaultPrivileges.forEach((dp) => {
            new postgresql.DefaultPrivileges(
                `${name}-${dp.role}-default-${dp.objectType}`,
                {
                    database: database.name,
                    schema: schema.name,
                    owner: dp.owner,
                    role: dp.role,
                    objectType: dp.objectType,
                    privileges: [...dp.privileges],
                },
                after,
            );
        });

        this.passwords = passwords;
        this.databaseName = database.name;
        this.registerOutputs({ databaseName: this.databaseName });
    }
}
