export { planSync, PlanOptions, SyncPlan, SyncStep, SyncTask, KubeObject } from "./sync-plan";
export { planMarkdown, planMermaid, planRows, SyncPlanRow } from "./markdown";
export { phaseOrder, kindOrder, SyncPhase, waveDelaySeconds, recheckSeconds } from "./argocd-rules";
export { healthCheck } from "./health-checks";
