/** The parts of a request the controller reads; framework-neutral. */
export interface MetricsRequest {
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
}

export interface MetricsResponse {
  status: number;
  headers: Record<string, string>;
  /** Text, or bytes for the protobuf exposition. */
  body: string | Buffer;
}

/** A plain-text answer that no cache keeps: errors, 401s, 404s. */
export function textResponse(
  status: number,
  body: string,
  extra?: Record<string, string>,
): MetricsResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra },
    body,
  };
}
