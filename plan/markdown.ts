import { recheckSeconds, waveDelaySeconds } from "./argocd-rules";
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

const recheck = `re-checked ${recheckSeconds.afterChange} s after a change, ${recheckSeconds.atMost} s at most`;

/**
 * A Mermaid flowchart of the plan, failure paths included, like the article's picture. The wave
 * delay sits between a step's apply and its first health check; a step not yet Healthy is looked
 * at again on each controller re-check, and the next step is applied at the one that finds it so.
 */
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
        const check = `c${s.step}`;
        if (s.delayAfterApply > 0) {
            lines.push(
                `    ${id} --> d${s.step}[${quote(`${s.delayAfterApply}s wave delay, then the first health check`)}]`,
                `    d${s.step} --> ${check}{${quote(`${s.succeedsWhen}?`)}}`,
            );
        } else {
            lines.push(`    ${id} --> ${check}{${quote(`${s.succeedsWhen}?`)}}`);
        }
        if (s.gates.length > 0) lines.push(`    ${check} -.->|${quote(`not yet: ${recheck}`)}| ${check}`);
        const outcome =
            codeApplied || appliesCode(s)
                ? "Sync stops, no rollback: the new pods stay; fix forward or revert in Git"
                : "Sync stops: later waves never applied, the old code keeps running";
        lines.push(`    ${check} -->|No| f${s.step}[${quote(outcome)}]`, `    f${s.step} --> alert`);
        codeApplied = codeApplied || appliesCode(s);
        previous = check;
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
        "a Namespace just before the first object in it). Each step is applied in one pass; every hook, and in a",
        "sync of more than one step every resource with a health check, must be Healthy before the next step.",
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
        "## Timing",
        "",
        `- After applying each step but the last, Argo CD sleeps ${waveDelaySeconds} s (\`ARGOCD_SYNC_WAVE_DELAY\`), then checks the step's health for the first time.`,
        `- A step not yet Healthy (a running Job) is checked again at each controller re-check: ${recheckSeconds.afterChange} s after a watched object changes, ${recheckSeconds.atMost} s at most. The next step is applied at the re-check that finds it Healthy: that, not the wave delay, is the gap between a Job completing and the next step.`,
        "- Progressing waits without end: the engine has no timeout of its own (a Job's `activeDeadlineSeconds` ends a hung migration).",
        "",
        "## Failure, retries and self-heal",
        "",
        "- A step that fails (a hook failed, a resource Degraded) stops the sync: later steps are never applied. SyncFail hooks then run together, and the sync ends Failed once they finish.",
        "- A failed dry-run applies nothing and runs no SyncFail hook.",
        "- Every full sync runs the hooks again (a manual sync, a new revision, a retry): the migration runs each time and must find nothing to do when its files are applied.",
        `- Each automatic retry (limit ${context.retryLimit}) re-runs the whole sync, PreSync migration included: every migration must be safe to run twice.`,
        "- A self-heal sync only re-applies drifted objects and runs no hooks: it never migrates.",
        "- A hook Job that vanishes while the sync waits (`ttlSecondsAfterFinished`) no longer hangs it: hooks carry Argo CD's hook finalizer, and a running task whose object is gone fails.",
        "- Hooks are never pruned: a hook whose name changes leaves the older objects behind.",
        "",
    ].join("\n");
}
