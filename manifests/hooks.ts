/** Argo CD hook phases we use (see ../shared/ARGOCD.md §1). */
export type HookPhase = "PreSync" | "PostSync" | "SyncFail";
export type DeletePolicy = "BeforeHookCreation" | "HookSucceeded" | "HookFailed";

export const annotationKeys = {
    hook: "argocd.argoproj.io/hook",
    wave: "argocd.argoproj.io/sync-wave",
    deletePolicy: "argocd.argoproj.io/hook-delete-policy",
} as const;

/**
 * Annotations placing an object in Argo CD's sync. With delivery "direct" the same
 * placement, read back by the sync plan, gives Pulumi's dependsOn order.
 */
export function syncAnnotations(placement: {
    wave: number;
    hook?: HookPhase;
    deletePolicy?: readonly DeletePolicy[];
}): Record<string, string> {
    return {
        ...(placement.hook === undefined ? {} : { [annotationKeys.hook]: placement.hook }),
        [annotationKeys.wave]: String(placement.wave),
        ...(placement.deletePolicy === undefined
            ? {}
            : { [annotationKeys.deletePolicy]: placement.deletePolicy.join(",") }),
    };
}

/** Where each part of the workload sits in the sync: the rule "schema first, then code". */
export const placements = {
    scripts: { hook: "PreSync", wave: -1, deletePolicy: ["BeforeHookCreation"] },
    migrate: { hook: "PreSync", wave: -1, deletePolicy: ["BeforeHookCreation"] },
    app: { wave: 0 },
    // HookSucceeded as the article has it; BeforeHookCreation too, so a smoke Job
    // left by a failed sync is replaced instead of blocking the next one.
    smoke: { hook: "PostSync", wave: 1, deletePolicy: ["BeforeHookCreation", "HookSucceeded"] },
    // Kept after it runs, so its log can be read; replaced by the next failure's.
    syncFail: { hook: "SyncFail", wave: 0, deletePolicy: ["BeforeHookCreation"] },
} as const;

/** The object without Argo CD's annotations, for delivery "direct" where Pulumi orders the apply. */
export function withoutSyncAnnotations<T extends { metadata?: { annotations?: Record<string, string> } }>(
    object: T,
): T {
    const annotations = Object.fromEntries(
        Object.entries(object.metadata?.annotations ?? {}).filter(([key]) => !key.startsWith("argocd.argoproj.io/")),
    );
    return { ...object, metadata: { ...object.metadata, annotations } };
}
