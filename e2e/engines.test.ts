import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { join } from "path";

// Our own Go code among the engines (the language host's front, the YAML host's Link, the stand-in providers):
// its unit tests, run by the suite that depends on it.
describe("our Go engines' own tests", function () {
    this.timeout(600000);
    for (const module of ["language-host", "language-yaml", "stand-ins", "sync", "pod-runner"]) {
        it(`go test ./... passes in engines/${module}`, () => {
            const run = spawnSync("go", ["test", "./..."], {
                cwd: join(__dirname, "..", "engines", module),
                env: { ...process.env, GOFLAGS: "-mod=readonly -buildvcs=false", GOTOOLCHAIN: "local" },
                encoding: "utf8",
            });
            assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
        });
    }
});
