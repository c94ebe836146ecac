package io.bottega.agent;

import java.io.IOException;

/** The controller answered, but not with success: {@code status} is its HTTP status (401: bad key). */
public final class ControllerException extends IOException {
    private final int status;

    public ControllerException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Whether the cluster key was refused. */
    public boolean unauthorized() {
        return status == 401 || status == 403;
    }
}
