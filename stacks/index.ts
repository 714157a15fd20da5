export { specFromConfig, specFromStackFile, knownStacks, secretKeys, configNamespace } from "./config";
export { programConfigEntries, isProgramConfigSecret } from "./program-config";
export { presets, deepMerge, Preset } from "./presets";
