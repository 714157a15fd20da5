// Edit distance, for "did you mean" on a misspelt field.
function distance(a: string, b: string): number {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const next = [i];
        for (let j = 1; j <= b.length; j++) {
            next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        row = next;
    }
    return row[b.length];
}

/** The candidate nearest to `word`, if it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: { name: string; d: number } | undefined;
    for (const name of candidates) {
        const d = distance(word.toLowerCase(), name.toLowerCase());
        if (best === undefined || d < best.d) best = { name, d };
    }
    return best !== undefined && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.name : undefined;
}
