import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync, readdirSync, statSync, writeFileSync } from "fs";
import { createServer } from "http";
import type { AddressInfo } from "net";
import { join } from "path";
import { accessPlan } from "../database";
import { rehearse } from "../rehearsal/sync";
import { startScript } from "../rehearsal/scripts";
import { specFromStackFile } from "../stacks";
import { runProgram, stackConfig } from "./helpers/program";
import { reveal, secretInput } from "./helpers/pulumi-mocks";
import { commandLinesDuring, migrationsDir, scratchDir } from "./helpers/scratch";
import { devStackYaml } from "./helpers/specs";
import { migrateFirst } from "./helpers/cli";

const root = join(__dirname, "..");
const canaryPassword = "canaryAdminPw7f3a9c2e";
const canaryWebhook = "https://hooks.example.test/services/T0/B0/canaryHook51d0";
const canaryRoles = { migrator: "canaryMigratorPw4b1d", app: "canaryAppPw9e62" };
// The mock runtime's RandomPassword results (test/helpers/pulumi-mocks.ts) are role passwords too.
const canaries = [canaryPassword, "canaryHook51d0", canaryRoles.migrator, canaryRoles.app, /pw-[\w-]+-x{16}/];

function leaks(text: string): string[] {
    return canaries.filter((c) => (typeof c === "string" ? text.includes(c) : c.test(text))).map(String);
}

/** Every plain (non-secret) string in an input tree. */
function plainStrings(value: unknown): string[] {
    if (secretInput(value).secret) return [];
    if (typeof value === "string") return [value];
    if (Array.isArray(value)) return value.flatMap(plainStrings);
    if (typeof value === "object" && value !== null) return Object.values(value).flatMap(plainStrings);
    return [];
}

describe("the secrets audit: a canary password and webhook URL appear nowhere", function () {
    this.timeout(120000);

    it("not in the render CLI's output, the program's plain inputs and outputs, the runtime scripts' output and command lines, or the rehearsal", async () => {
        const found: string[] = [];
        const check = (where: string, text: string) =>
            leaks(text).forEach((canary) => found.push(`${where}: ${canary}`));

        // 1. The render CLI, from a stack file that holds both secrets (as a stack file does: under "secure").
        const dir = scratchDir("audit");
        // The stack's migrations, where render's gate finds them from this directory.
        const stackFile = devStackYaml().replace(
            "directory: examples/shop/migrations",
            `directory: ${join(root, "examples", "shop", "migrations")}`,
        );
        writeFileSync(
            join(dir, "Pulumi.audit.yaml"),
            `${stackFile}  migrate-first:databaseAdminPassword:\n    secure: ${canaryPassword}\n  migrate-first:alertWebhookUrl:\n    secure: ${canaryWebhook}\n`,
        );
        const render = migrateFirst(["render", "--dir", dir, "--stack", "audit", "--out", join(dir, "out")], {
            cwd: root,
            encoding: "utf8",
        });
        assert.equal(render.status, 0, render.stderr);
        check("render stdout", render.stdout);
        check("render stderr", render.stderr);
        for (const file of readdirSync(join(dir, "out"), { recursive: true, encoding: "utf8" }).filter((f) =>
            statSync(join(dir, "out", f)).isFile(),
        )) {
            check(`render ${file}`, readFileSync(join(dir, "out", file), "utf8"));
        }

        // 2. The program under the mock runtime: every plain input, and every output that is not secret.
        const config = stackConfig("dev", {
            "migrate-first:databaseAdminPassword": canaryPassword,
            "migrate-first:alertWebhookUrl": canaryWebhook,
        });
        const program = await runProgram(config, {
            secretKeys: ["migrate-first:databaseAdminPassword", "migrate-first:alertWebhookUrl"],
        });
        assert.equal(program.error, undefined, String(program.error));
        for (const r of program.resources)
            for (const text of plainStrings(r.inputs)) check(`input of ${r.type} ${r.name}`, text);
        for (const [name, value] of Object.entries(program.outputs)) {
            const shown = pulumi.Output.isInstance(value) ? await reveal(value) : { value, secret: false };
            if (!shown.secret) check(`output ${name}`, JSON.stringify(shown.value) ?? "");
        }

        // 3. The rehearsal, which runs every runtime script against an embedded Postgres with the
        // planted passwords; a broken migration takes it through the SyncFail path too.
        const spec = specFromStackFile(root, "dev");
        const plan = accessPlan(spec);
        const migrations = migrationsDir({
            "0001_t.sql": "CREATE TABLE t (id int);\n",
            "0002_bad.sql": "ALTER TABLE no_such_table ADD COLUMN x int;\n",
        });
        const lines: string[] = [];
        const running = rehearse(spec, {
            releases: [{ image: spec.app.image, migrationsDir: migrations }],
            log: (line) => lines.push(line),
            passwords: {
                admin: canaryPassword,
                roles: { [plan.migrator]: canaryRoles.migrator, [plan.app]: canaryRoles.app },
            },
        });
        const rehearsalCommands = await commandLinesDuring(running);
        assert.equal((await running).failed, "Job shop-migrate", "the broken migration stops the sync");
        assert.ok(
            [...rehearsalCommands].some((cmd) => /psql/.test(cmd)),
            "the sampler never saw psql: it proves nothing",
        );
        lines.forEach((line) => check("rehearsal log", line));
        rehearsalCommands.forEach((cmd) => check("a command line during the rehearsal", cmd));

        // 4. The alert, posting to the planted webhook (a local stand-in).
        const server = createServer((req, res) => req.resume().on("end", () => res.end("ok")));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/canaryHook51d0`;
        const payload = join(scratchDir("audit-alert"), "payload.json");
        writeFileSync(payload, JSON.stringify({ text: "audit" }));
        const alert = startScript("alert.sh", { WEBHOOK_URL: webhook, ALERT_PAYLOAD: payload });
        const alertCommands = await commandLinesDuring(alert.done);
        const sent = await alert.done;
        await new Promise((resolve) => server.close(resolve));
        assert.equal(sent.code, 0, sent.stderr);
        [sent.stdout, sent.stderr, ...alertCommands].forEach((text) => check("alert.sh", text));

        assert.deepEqual(found, []);
    });
});
