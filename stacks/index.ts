export {
    specFromConfig,
    specFromStackFile,
    stackTierOrigin,
    readStackFile,
    plainConfig,
    knownStacks,
    secretKeys,
    configNamespace,
    StackConfig,
} from "./config";
export { programConfigEntries, isProgramConfigSecret } from "./program-config";
export { presets, deepMerge, Preset } from "./presets";
export { checkPromotion, sameBuild, PromotionVerdict } from "./promotion";
export { readStackState, readVerifiedImages, StackState } from "./stack-state";
export {
    requestSpec,
    requestFromText,
    requestedEnvironments,
    selfServiceEnvironments,
    selfServicePolicy,
    usesSelfService,
    SelfServiceError,
    SelfServicePolicy,
    Requested,
    sizes,
} from "./requests";
// The programs (stacks/environment-program.ts, stacks/self-service.ts) are imported by index.ts
// alone, so the CLIs do not load the Pulumi providers.
