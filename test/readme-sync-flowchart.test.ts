import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import { renderEnvironment } from "../cli/render-files";
import { loadRuntimeScripts } from "../runtime";
import { readStackFile, specFromConfig } from "../stacks/config";

const root = join(__dirname, "..");
const mermaid = (text: string) => /```mermaid\n[\s\S]*?\n```\n/.exec(text)?.[0];

// The README shows the picture `npm run render -- --stack dev` writes to review/sync-plan.md; the
// render command writes renderEnvironment's files as they are, so its Markdown is compared here.
describe("the README's sync flowchart", () => {
    it("is byte for byte the one render writes for the dev stack", () => {
        const spec = specFromConfig(readStackFile(root, "dev"));
        const rendered = renderEnvironment(spec, loadRuntimeScripts(), "Pulumi.dev.yaml").files["review/sync-plan.md"];
        const readme = readFileSync(join(root, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## The sync, as Argo CD will run it"));
        const shown = mermaid(section);
        assert.ok(shown !== undefined, "the README's sync section has a mermaid block");
        assert.equal(shown, mermaid(rendered));
    });
});
