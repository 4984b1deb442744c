package dev.stingray.raylet.objectstore;

/** No space can be made for an object: everything left is being created or read (Ray: {@code ObjectStoreFullError}). */
public final class ObjectStoreFullException extends RuntimeException {

    public ObjectStoreFullException(String message) {
        super(message);
    }
}
