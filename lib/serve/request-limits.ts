/**
 * What a client that has not proven who it is can make `landscape serve` hold. A webhook body is buffered
 * until its signature is checked (the HMAC covers the whole body), so every unverified body is memory an
 * anonymous sender controls: the server bounds how many are received at once, how many bytes they hold in
 * total, and how long a request may take to arrive. The API checks its bearer token from the headers before
 * it reads a body, so an unauthenticated API request costs nothing.
 */
export interface ServeLimits {
  /** Largest webhook body: GitHub caps payloads at 25 MB, so a verified sender's largest push fits. */
  maxWebhookBytes: number;
  /** Largest API body (operator requests are small JSON objects). */
  maxApiBytes: number;
  /** Webhook bodies received and not yet verified at one time; more are answered 503 before being read. */
  maxUnverifiedBodies: number;
  /** Bytes all unverified webhook bodies may hold together; a body that would pass it is answered 503. */
  maxUnverifiedBytes: number;
  /** Time to receive a request's headers (slow-header clients are answered 408 and closed). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, headers and body (slow uploads are answered 408 and closed). */
  requestTimeoutMs: number;
  /**
   * After refusing a body it did not read, how long the server goes on discarding what still arrives before it
   * closes, so that a client still sending reads the answer instead of a connection reset (nothing is kept).
   */
  refusedLingerMs: number;
}

export const DEFAULT_SERVE_LIMITS: ServeLimits = {
  maxWebhookBytes: 25 * 1024 * 1024,
  maxApiBytes: 1024 * 1024,
  maxUnverifiedBodies: 8,
  maxUnverifiedBytes: 64 * 1024 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  refusedLingerMs: 5_000,
};

/** One unverified body being received: counts its bytes against the shared budget until released. */
export interface UnverifiedBody {
  /** Adds received bytes; false when the shared budget would be exceeded (the request is then refused). */
  add(bytes: number): boolean;
  release(): void;
}

/** The shared budget of unverified webhook bodies (count and bytes). */
export class UnverifiedBodyBudget {
  readonly #maxBodies: number;
  readonly #maxBytes: number;
  #bodies = 0;
  #bytes = 0;

  constructor(limits: Pick<ServeLimits, 'maxUnverifiedBodies' | 'maxUnverifiedBytes'>) {
    this.#maxBodies = limits.maxUnverifiedBodies;
    this.#maxBytes = limits.maxUnverifiedBytes;
  }

  /**
   * A slot for one body announced as `declaredBytes` long (Content-Length; 0 when chunked), or undefined when
   * the server holds enough already. The declared length is reserved at once, so a refusal comes before the
   * body is read; a chunked body reserves as it arrives.
   */
  tryAcquire(declaredBytes: number): UnverifiedBody | undefined {
    if (this.#bodies >= this.#maxBodies || this.#bytes + declaredBytes > this.#maxBytes) return undefined;
    this.#bodies++;
    this.#bytes += declaredBytes;
    let held = declaredBytes;
    let received = 0;
    let released = false;
    return {
      add: (bytes) => {
        received += bytes;
        const more = received - held;
        if (more <= 0) return true;
        if (this.#bytes + more > this.#maxBytes) return false;
        this.#bytes += more;
        held += more;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#bodies--;
        this.#bytes -= held;
      },
    };
  }

  /** For /healthz and tests: what is held right now. */
  get usage(): { bodies: number; bytes: number } {
    return { bodies: this.#bodies, bytes: this.#bytes };
  }
}
