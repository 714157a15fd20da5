// The Pulumi program. A stack whose config has migrate-first:selfService builds every
// environment the platform's request files ask for; any other stack builds its one environment.
import { programConfigEntries, usesSelfService } from "./stacks";
import { environmentProgram } from "./stacks/environment-program";
import { selfServiceProgram } from "./stacks/self-service";

export = async () => (usesSelfService(programConfigEntries()) ? selfServiceProgram() : environmentProgram());
