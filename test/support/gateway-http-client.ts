import * as http from "node:http";

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: any;
}

export interface HttpCall {
  method?: string;
  path: string;
  headers?: http.OutgoingHttpHeaders;
  /** Sent with Content-Length, unless `chunks` is given. */
  body?: string | Buffer;
  /** Sent one by one with chunked transfer encoding. */
  chunks?: Buffer[];
}

/**
 * One HTTP/1.1 request with full control of headers and framing. The answer is
 * resolved even when the server closes the connection before reading the whole
 * body (as after a 413).
 */
export function httpCall(port: number, call: HttpCall): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers = { ...call.headers };
    if (call.body !== undefined) headers["content-length"] = Buffer.byteLength(call.body);
    const req = http.request({ host: "127.0.0.1", port, method: call.method ?? "POST", path: call.path, headers, agent: false });
    let answered = false;
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    if (call.chunks) {
      for (const chunk of call.chunks) req.write(chunk);
      req.end();
    } else {
      req.end(call.body);
    }
  });
}
