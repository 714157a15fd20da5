export { specFromConfig, specFromStackFile, knownStacks, secretKeys, configNamespace } from "./config";
export { programConfigEntries, isProgramConfigSecret } from "./program-config";
export { presets, deepMerge, Preset } from "./presets";
export { checkPromotion, sameBuild, PromotionVerdict } from "./promotion";
export { readStackState, readVerifiedImages, StackState } from "./stack-state";
