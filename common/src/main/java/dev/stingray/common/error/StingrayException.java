package dev.stingray.common.error;

/**
 * An error a caller can act on: the message names the offending value and what to do about it;
 * the {@link ErrorCode} decides the gRPC status or HTTP code it travels with.
 */
public class StingrayException extends RuntimeException {

    private final ErrorCode code;

    public StingrayException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public StingrayException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static StingrayException invalidArgument(String message) {
        return new StingrayException(ErrorCode.INVALID_ARGUMENT, message);
    }

    public static StingrayException notFound(String message) {
        return new StingrayException(ErrorCode.NOT_FOUND, message);
    }

    public static StingrayException alreadyExists(String message) {
        return new StingrayException(ErrorCode.ALREADY_EXISTS, message);
    }
}
