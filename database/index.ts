export { accessPlan, AccessPlan, GrantPlan, DefaultPrivilegesPlan, RolePlan } from "./access-plan";
export { clusterTarget, credentialEntries, ConnectionTarget } from "./connection";
