import { strict as assert } from "assert";
import { readFileSync } from "fs";
import { join } from "path";
import { removeDir, temporaryDir } from "../rehearsal/postgres";
import { migrateFirst } from "./helpers/cli";

const root = join(__dirname, "..");
const mermaid = (text: string) => /```mermaid\n[\s\S]*?\n```\n/.exec(text)?.[0];

// The README shows the picture `npm run render -- --stack dev` writes to review/sync-plan.md:
// the command itself (from its sources) writes the file compared here.
describe("the README's sync flowchart", function () {
    this.timeout(60000);
    it("is byte for byte the one render writes for the dev stack", () => {
        const out = temporaryDir("flowchart");
        const run = migrateFirst(["render", "--stack", "dev", "--quiet", "--out", out], {
            cwd: root,
            encoding: "utf8",
        });
        assert.equal(run.status, 0, run.stderr);
        const rendered = readFileSync(join(out, "review/sync-plan.md"), "utf8");
        removeDir(out);
        const readme = readFileSync(join(root, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## The sync, as Argo CD will run it"));
        const shown = mermaid(section);
        assert.ok(shown !== undefined, "the README's sync section has a mermaid block");
        assert.equal(shown, mermaid(rendered));
    });
});
