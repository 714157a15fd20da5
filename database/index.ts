export { accessPlan, AccessPlan, GrantPlan, DefaultPrivilegesPlan, RolePlan } from "./access-plan";
export { accessSql, ident, literal } from "./access-sql";
export { clusterTarget, credentialEntries, ConnectionTarget } from "./connection";
