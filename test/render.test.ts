import { strict as assert } from "assert";
import { devStackYaml } from "./helpers/specs";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { parseAllDocuments } from "yaml";
import { validateAgainstSchema } from "./helpers/kube-schemas";
import { scratchDir } from "./helpers/scratch";
import { migrateFirst } from "./helpers/cli";

const root = join(__dirname, "..");

// The CLI as a user runs it: a real process, real files.
function render(...args: string[]) {
    const result = migrateFirst(["render", ...args], { cwd: root, encoding: "utf8" });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("render CLI", function () {
    this.timeout(60000);
    let out: string;
    before(() => {
        out = mkdtempSync(join(tmpdir(), "migrate-first-render-"));
    });
    after(() => rmSync(out, { recursive: true, force: true }));

    it("writes only manifests.yaml where Argo CD looks (gitops/), and what Pulumi creates under review/, and prints the plan", () => {
        const { code, stdout, stderr } = render("--stack", "dev", "--out", out);
        assert.equal(code, 0, stderr);
        assert.deepEqual(readdirSync(out).sort(), ["gitops", "review"]);
        assert.deepEqual(readdirSync(join(out, "gitops")), ["manifests.yaml"]);
        assert.deepEqual(readdirSync(join(out, "review")).sort(), [
            "application.yaml",
            "network-policies.yaml",
            "sync-plan.md",
        ]);
        assert.match(stdout, /1\. PreSync {2}wave -1 {2}Job shop-migrate/);
        assert.match(stdout, /3\. PostSync wave {2}1 {2}Job shop-smoke/);
    });

    it("renders objects the real schemas accept, in the app's namespace, with no Secret", () => {
        const docs = ["gitops/manifests.yaml", "review/network-policies.yaml", "review/application.yaml"].flatMap(
            (file) =>
                parseAllDocuments(readFileSync(join(out, file), "utf8")).map(
                    (d) => d.toJS() as { kind: string; metadata: { namespace?: string } },
                ),
        );
        assert.deepEqual(
            docs.map((d) => d.kind),
            [
                "ConfigMap",
                "Job",
                "Service",
                "Deployment",
                "Job",
                "Job",
                ...Array<string>(6).fill("NetworkPolicy"),
                "Application",
            ],
        );
        for (const doc of docs) validateAgainstSchema(doc);
        assert.ok(docs.slice(0, -1).every((d) => d.metadata.namespace === "shop"));
        assert.ok(!docs.some((d) => d.kind === "Secret"));
    });

    it("puts no credential in any file: only references to Secrets", () => {
        for (const file of ["gitops/manifests.yaml", ...readdirSync(join(out, "review")).map((f) => `review/${f}`)]) {
            const text = readFileSync(join(out, file), "utf8");
            assert.doesNotMatch(text, /postgres(ql)?:\/\/[^\s"]*:[^\s"]*@/, `${file} holds a URL with a password`);
            assert.doesNotMatch(text, /\bstringData\b|\bdata:\s*\n\s+(url|PGPASSWORD):/, `${file} holds Secret data`);
            assert.doesNotMatch(text, /secure:|v1:[A-Za-z0-9+/=]{20,}/, `${file} holds an encrypted config value`);
        }
        const manifests = readFileSync(join(out, "gitops", "manifests.yaml"), "utf8");
        assert.match(manifests, /secretKeyRef:\n\s+name: db-migrator-credentials\n\s+key: PGPASSWORD/);
    });

    it("writes a sync plan whose table and flowchart match the order", () => {
        const md = readFileSync(join(out, "review", "sync-plan.md"), "utf8");
        const rows = md
            .split("\n")
            .filter((l) => /^\| \d/.test(l))
            .map((l) => l.split("|")[5].trim());
        assert.deepEqual(
            rows.map((r) => r.replace(/-[0-9a-f]{10}$/, "")),
            ["shop-runtime", "shop-migrate", "shop", "shop", "shop-smoke", "shop-sync-fail"],
        );
        assert.match(md, /```mermaid/);
    });

    it("refuses an unknown stack, listing the known ones", () => {
        const { code, stderr } = render("--stack", "nope", "--out", out);
        assert.equal(code, 1);
        assert.equal(
            stderr.trim(),
            'render: unknown stack "nope"; known stacks: dev, platform, preview, prod, staging',
        );
    });

    it("refuses an unknown option and shows how to get help", () => {
        const { code, stderr } = render("--stack", "dev", "--colour");
        assert.notEqual(code, 0);
        assert.match(stderr, /unknown option '--colour'/);
        assert.match(stderr, /run with --help/);
    });

    it("prints help listing every option, and which folder goes to the GitOps path", () => {
        const { code, stdout } = render("--help");
        assert.equal(code, 0);
        for (const option of ["--stack", "--out", "--dir", "--quiet"]) assert.ok(stdout.includes(option), option);
        assert.match(
            stdout,
            /gitops\/manifests\.yaml +the hook-annotated workload: copy this folder's content to the path the Application\n +watches \(argocd\.repoURL, argocd\.path\); nothing else belongs there/,
        );
        assert.match(
            stdout,
            /review\/application\.yaml +the Argo CD Application Pulumi creates: for review, never for the GitOps path/,
        );
    });

    it("writes plain YAML: no anchors or aliases, one object per document, the same bytes on every run", () => {
        const again = scratchDir("render-again");
        assert.equal(render("--stack", "dev", "--out", again, "--quiet").code, 0);
        for (const file of ["gitops/manifests.yaml", "review/network-policies.yaml", "review/application.yaml"]) {
            const text = readFileSync(join(out, file), "utf8");
            assert.equal(readFileSync(join(again, file), "utf8"), text, `${file} differs between two runs`);
            const docs = parseAllDocuments(text);
            assert.ok(
                docs.every((d) => d.errors.length === 0 && typeof d.toJS() === "object" && !Array.isArray(d.toJS())),
                "one object per document",
            );
            assert.doesNotMatch(text, /(^|[\s:-])[&*]a\d+\b/m, `${file} has YAML anchors or aliases`);
        }
    });

    it("puts a direct-delivery stack's workload under review/ only: nothing is for Argo CD", () => {
        const dir = scratchDir("render-direct");
        writeFileSync(
            join(dir, "Pulumi.qa.yaml"),
            `${devStackYaml().replace("directory: examples/shop/migrations", `directory: ${join(root, "examples/shop/migrations")}`)}  migrate-first:delivery: direct\n`,
        );
        const { code, stderr } = render("--dir", dir, "--stack", "qa", "--out", join(dir, "out"), "--quiet");
        assert.equal(code, 0, stderr);
        assert.deepEqual(readdirSync(join(dir, "out")), ["review"]);
        assert.deepEqual(readdirSync(join(dir, "out", "review")).sort(), [
            "manifests.yaml",
            "network-policies.yaml",
            "sync-plan.md",
        ]);
    });

    it("reports every spec problem of a stack file at once and writes nothing", () => {
        const dir = mkdtempSync(join(tmpdir(), "migrate-first-bad-"));
        try {
            const bad =
                "config:\n  migrate-first:app:\n    name: shop\n    image: myapp/api\n  migrate-first:database:\n    port: 0\n  migrate-first:migration:\n    mode: command\n    command: [migrate]\n  migrate-first:delivery: direct\n";
            writeFileSync(join(dir, "Pulumi.qa.yaml"), bad);
            const { code, stderr } = render("--dir", dir, "--stack", "qa", "--out", join(dir, "out"));
            assert.equal(code, 1);
            assert.match(stderr, /the spec for Pulumi\.qa\.yaml has 3 problems; nothing was created/);
            assert.match(stderr, /migrate-first:app\.image: "myapp\/api" has no tag or digest/);
            assert.match(
                stderr,
                /migrate-first:database\.host: is missing; set it: pulumi config set --path 'database\.host' <value>/,
            );
            assert.match(stderr, /migrate-first:database\.port: 0 is below the minimum; use 1 or more/);
            assert.ok(!readdirSync(dir).includes("out"), "nothing written");
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("lints the stack's migrations first, and writes nothing when one has an error", () => {
        const dir = scratchDir("lint-stack");
        mkdirSync(join(dir, "migrations"));
        writeFileSync(
            join(dir, "migrations", "0001_users.sql"),
            "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
        );
        writeFileSync(join(dir, "migrations", "0002_drop.sql"), "ALTER TABLE users DROP COLUMN email;\n");
        writeFileSync(
            join(dir, "Pulumi.qa.yaml"),
            devStackYaml().replace("directory: examples/shop/migrations", "directory: migrations"),
        );
        const bad = render("--dir", dir, "--stack", "qa", "--out", join(dir, "out"));
        assert.equal(bad.code, 1);
        assert.match(
            bad.stderr,
            /render: 1 problem\(s\) in the migrations at .*migrations; nothing was written:\n {2}0002_drop\.sql:1:1 ban-drop-column error: DROP COLUMN email from users/,
        );
        assert.ok(!readdirSync(dir).includes("out"), "nothing written");
        writeFileSync(
            join(dir, "migrations", "0002_drop.sql"),
            "-- migrate-first: contract completes 1\nALTER TABLE users DROP COLUMN email;\n",
        );
        const good = render("--dir", dir, "--stack", "qa", "--out", join(dir, "out"));
        assert.equal(good.code, 0, good.stderr);
        assert.match(good.stdout, /render: linted 2 migration file\(s\) in .*: no errors/);
    });
});
