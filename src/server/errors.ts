/** Errors the API answers with a 4xx status and the message; anything else is a 500. */

/** The request itself is wrong (a refused path, a malformed body): 400. */
export class BadRequestError extends Error {
  readonly statusCode = 400;
}

/** A run, model or family that is not there: 404. */
export class NotFoundError extends Error {
  readonly statusCode = 404;
}
