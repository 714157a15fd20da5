import type { SyncPlan, SyncStep, SyncTask } from "./sync-plan";
import { rollsOutCode } from "./sync-plan";

/** One row per task, as the table in sync-plan.md and the `syncPlan` stack output show it. */
export interface SyncPlanRow {
    readonly step: number;
    readonly phase: string;
    readonly wave: number;
    readonly kind: string;
    readonly name: string;
    readonly waitsFor: string;
}

export function planRows(plan: SyncPlan): SyncPlanRow[] {
    const rows = plan.steps.flatMap((s) =>
        s.tasks.map((t) => ({
            step: s.step,
            phase: s.phase,
            wave: s.wave,
            kind: t.kind,
            name: t.name,
            waitsFor: s.waitsFor,
        })),
    );
    const failStep = plan.steps.length + 1;
    return [
        ...rows,
        ...plan.onFailure.map((t) => ({
            step: failStep,
            phase: t.phase,
            wave: t.wave,
            kind: t.kind,
            name: t.name,
            waitsFor: "only if a step above fails; all SyncFail hooks at once",
        })),
    ];
}

const label = (t: SyncTask) => `${t.kind} ${t.name}`;
// Mermaid labels are quoted; a quote inside would end them.
const quote = (text: string) => `"${text.replace(/"/g, "'")}"`;
const appliesCode = (s: SyncStep) => s.tasks.some(rollsOutCode);

/** A Mermaid flowchart of the plan, failure paths included, like the article's picture. */
export function planMermaid(plan: SyncPlan): string {
    const lines = [
        "flowchart TD",
        `    start([Git change or sync]) --> dry[Dry-run every object]`,
        `    dry -->|fails| dryfail[${quote("Sync Failed: nothing applied, no SyncFail hook")}]`,
    ];
    let previous = "dry";
    let codeApplied = false;
    const fail = plan.onFailure.length === 0 ? "Sync Failed" : `SyncFail: ${plan.onFailure.map(label).join(", ")}`;
    plan.steps.forEach((s) => {
        const id = `s${s.step}`;
        const edge = previous === "dry" ? "-->" : "-->|Yes|";
        lines.push(
            `    ${previous} ${edge} ${id}[${quote(`${s.step}. ${s.phase} wave ${s.wave}: ${s.tasks.map(label).join(", ")}`)}]`,
        );
        lines.push(`    ${id} --> c${s.step}{${quote(`${s.succeedsWhen}?`)}}`);
        const outcome =
            codeApplied || appliesCode(s)
                ? "Sync stops, no rollback: the new pods stay; fix forward or revert in Git"
                : "Sync stops: later waves never applied, the old code keeps running";
        lines.push(`    c${s.step} -->|No| f${s.step}[${quote(outcome)}]`, `    f${s.step} --> alert`);
        codeApplied = codeApplied || appliesCode(s);
        previous = `c${s.step}`;
    });
    lines.push(`    ${previous} -->|Yes| done([Synced and healthy])`);
    if (plan.steps.length > 0) lines.push(`    alert[${quote(fail)}] --> failed([Sync Failed])`);
    return lines.join("\n");
}

function cell(text: string | number): string {
    return String(text).replace(/\|/g, "\\|");
}

/** sync-plan.md: the order, the picture, and what retries and self-heal mean for migrations. */
export function planMarkdown(
    plan: SyncPlan,
    context: { app: string; environment: string; retryLimit: number },
): string {
    const rows = planRows(plan).map(
        (r) => `| ${r.step} | ${r.phase} | ${r.wave} | ${r.kind} | ${cell(r.name)} | ${cell(r.waitsFor)} |`,
    );
    const skipped =
        plan.skipped.length === 0
            ? []
            : ["", `Never applied by a sync: ${plan.skipped.map((s) => `${s.kind} ${s.name}`).join(", ")}.`];
    return [
        `# Sync plan: ${context.app} (${context.environment})`,
        "",
        "What Argo CD does with `manifests.yaml`, computed from its rules (phase, then wave, then kind, then name;",
        "each step applied in one pass and waited on before the next).",
        "",
        "| step | phase | wave | kind | name | waits for |",
        "|---|---|---|---|---|---|",
        ...rows,
        ...skipped,
        "",
        "```mermaid",
        planMermaid(plan),
        "```",
        "",
        "## Failure, retries and self-heal",
        "",
        "- A step that fails stops the sync: later steps are never applied. SyncFail hooks then run together, and the sync ends Failed.",
        "- A failed dry-run applies nothing and runs no SyncFail hook.",
        `- Each automatic retry (limit ${context.retryLimit}) re-runs the whole sync, PreSync migration included: every migration must be safe to run twice.`,
        "- A self-heal sync only re-applies drifted objects and runs no hooks: it never migrates.",
        "",
    ].join("\n");
}
