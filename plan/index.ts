export { planSync, SyncPlan, SyncStep, SyncTask, KubeObject } from "./sync-plan";
export { planMarkdown, planMermaid, planRows, SyncPlanRow } from "./markdown";
export { phaseOrder, kindOrder, SyncPhase } from "./argocd-rules";
