export { AppEnvironment, AppEnvironmentArgs } from "./app-environment";
export { PostgresDatabase, PostgresDatabaseArgs, postgresProvider } from "./postgres-database";
export { DatabaseSecrets, DatabaseSecretsArgs } from "./database-secrets";
export { DirectWorkload, DirectWorkloadArgs } from "./direct-workload";
export { ArgoApplication, ArgoApplicationArgs } from "./argocd-application";
