package io.bottega.server.store;

/**
 * The store could not be opened, or a read or write failed. The message says what and why in words an
 * operator can act on ({@code cannot open store jdbc:sqlite:/x/y.db: directory /x does not exist}); the
 * cause keeps the driver's exception.
 */
public final class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
