import { createServer } from "http";
import type { AddressInfo } from "net";

export interface StandInApp {
    /** The health URL, on loopback. */
    readonly healthUrl: string;
    close(): Promise<void>;
}

/** A tiny HTTP server standing in for the app's new pods: 200 on its health path, 404 elsewhere. */
export async function startStandInApp(healthPath: string): Promise<StandInApp> {
    const server = createServer((req, res) => {
        res.statusCode = req.url === healthPath ? 200 : 404;
        res.end(res.statusCode === 200 ? "ok\n" : "not found\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        healthUrl: `http://127.0.0.1:${port}${healthPath}`,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}
