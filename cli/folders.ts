/** The folder whose content goes to the GitOps path Argo CD watches: nothing else is in it. */
export const gitopsFolder = "gitops";
/** The folder of what Pulumi creates or what explains the sync, for review: never for the GitOps path. */
export const reviewFolder = "review";
