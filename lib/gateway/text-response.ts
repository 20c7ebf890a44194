// A Response whose body is a string the gateway made itself. The front server (./node-server.ts) writes
// that string straight to the socket instead of reading it back through the Response's stream, which on
// the hot path cost more than building the answer; any other consumer reads the body as usual.

const texts = new WeakMap<Response, string>();

export function textResponse(text: string, init: ResponseInit): Response {
  const response = new Response(text, init);
  texts.set(response, text);
  return response;
}

/** The body of a textResponse, or undefined for any other response. */
export function textOf(response: Response): string | undefined {
  return texts.get(response);
}
