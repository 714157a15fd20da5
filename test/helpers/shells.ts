import { spawnSync } from "child_process";
import { symlinkSync } from "fs";
import { join } from "path";
import { scratchDir } from "./scratch";

/** A shell the runtime scripts must work under, as the PATH that makes `sh` (and the tools) be it. */
export interface Shell {
    readonly name: string;
    readonly env: { readonly PATH: string };
}

// The tools the scripts call. In the postgres:*-alpine image every one is busybox's.
const busyboxTools = [
    "sh",
    "awk",
    "sed",
    "grep",
    "sort",
    "cut",
    "tr",
    "head",
    "tail",
    "wc",
    "cat",
    "cp",
    "rm",
    "mkdir",
    "mktemp",
    "touch",
    "dirname",
    "uname",
    "sleep",
    "sha256sum",
    "date",
    "printf",
];

function pathWith(tools: Readonly<Record<string, string>>): string {
    const dir = scratchDir("shell");
    for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(dir, name));
    return `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}`;
}

function which(program: string): string | undefined {
    const found = spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" }).stdout.trim();
    return found === "" ? undefined : found;
}

/**
 * dash (Debian's sh) with this machine's awk and tools, and busybox's sh and tools (what the
 * alpine image runs). Busybox is required: `apt-get install -y busybox` (see README).
 */
export function runtimeShells(): Shell[] {
    const dash = which("dash");
    const busybox = which("busybox");
    if (dash === undefined || busybox === undefined)
        throw new Error("dash and busybox are needed: apt-get install -y dash busybox");
    return [
        { name: "dash", env: { PATH: pathWith({ sh: dash }) } },
        { name: "busybox", env: { PATH: pathWith(Object.fromEntries(busyboxTools.map((tool) => [tool, busybox]))) } },
    ];
}
