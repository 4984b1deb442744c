package dev.stingray.common.error;

/**
 * What went wrong, independent of transport. Adapters map each code to the matching gRPC status
 * code or HTTP status, so domain code never imports gRPC.
 */
public enum ErrorCode {
    /** The caller sent a value that can never be accepted (gRPC INVALID_ARGUMENT, HTTP 400). */
    INVALID_ARGUMENT,
    /** The thing asked for does not exist (gRPC NOT_FOUND, HTTP 404). */
    NOT_FOUND,
    /** A unique name or key is already taken (gRPC ALREADY_EXISTS, HTTP 409). */
    ALREADY_EXISTS,
    /** A peer cannot be reached right now; retrying may help (gRPC UNAVAILABLE, HTTP 503). */
    UNAVAILABLE,
    /** The request was refused by policy, e.g. a node that is already DEAD (gRPC FAILED_PRECONDITION). */
    FAILED_PRECONDITION
}
