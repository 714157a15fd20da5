export { environmentSpecSchema, EnvironmentSpec, EnvironmentSpecInput } from "./schema";
export { resourcesSchema } from "./fields";
export { parseSpec, validate, SpecError, SpecSource } from "./validate";
export { isPinnedImage, parseImage } from "./image";
export { boundedName, labelFrom } from "./names";
export { tiers, Tier, previewNumber, defaultTier, impliedTier, isLowerTier, tierOrigin } from "./tier";
