import { strict as assert } from "assert";
import { readdirSync } from "fs";
import { tmpdir } from "os";
import { migrateFirst } from "../test/helpers/cli";

/** The throwaway directories the rehearsal makes under /tmp, to check it leaves none behind. */
const leftovers = () =>
    readdirSync(tmpdir()).filter((name) => /^migrate-first-(real-sync|control-plane|pod-runner)-/.test(name));

describe("migrate-first rehearse --control-plane: the whole sync for real, one command", function () {
    this.timeout(600000);

    it("syncs the dev stack through Argo CD's engine on a local control plane and verifies the release", () => {
        const before = leftovers();
        const run = migrateFirst(["rehearse", "--stack", "dev", "--control-plane"]);
        const output = `${run.stdout}${run.stderr}`;
        assert.equal(run.status, 0, output);
        for (const line of [
            /control plane: https:\/\/127\.0\.0\.1:\d+ \(v1\.36\.3\) ready/,
            /node pod-runner Ready/,
            /PreSync +wave +-1 +Job shop-migrate +Succeeded/,
            /Sync +wave +0 +Deployment shop +Synced Succeeded/,
            /PostSync +wave +1 +Job shop-smoke +Succeeded/,
            /sync Succeeded after 1 attempt/,
            /end state: verified release\(s\): ghcr\.io\/acme\/shop:v1\.2\.0/,
            /rehearse: the sync succeeded on the control plane/,
        ])
            assert.match(output, line);
        assert.deepEqual(leftovers(), before, "no directory left under /tmp");
    });

    it("with --break-migration, stops at the migration Job, posts the alert and exits 0 as asked", () => {
        const run = migrateFirst(["rehearse", "--stack", "dev", "--control-plane", "--break-migration"]);
        const output = `${run.stdout}${run.stderr}`;
        assert.equal(run.status, 0, output);
        assert.match(output, /Job shop-migrate +Failed/);
        assert.match(output, /relation "no_such_table" does not exist/);
        assert.doesNotMatch(output, /Deployment shop +Synced/);
        // One alert per failed attempt: the Application retries the whole operation (argocd.retryLimit).
        const attempts = /sync Failed after (\d+) attempt/.exec(output)?.[1];
        assert.ok(attempts !== undefined && Number(attempts) > 1, output);
        assert.match(output, new RegExp(`the webhook received ${attempts} alert`));
        assert.match(output, /as --break-migration asked/);
    });
});
