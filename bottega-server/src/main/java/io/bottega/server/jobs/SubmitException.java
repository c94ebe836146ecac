package io.bottega.server.jobs;

/**
 * A request the controller refuses, with the message the user sees (Slurm's wording where Slurm has
 * one) and the HTTP status the API answers with.
 */
public final class SubmitException extends RuntimeException {
    private final int status;
    private final String field;

    public SubmitException(int status, String field, String message) {
        super(message);
        this.status = status;
        this.field = field == null ? "" : field;
    }

    public static SubmitException invalid(String field, String message) { return new SubmitException(400, field, message); }

    public static SubmitException forbidden(String message) { return new SubmitException(403, "", message); }

    public static SubmitException notFound(String message) { return new SubmitException(404, "", message); }

    public int status() { return status; }

    /** The request field at fault ("" when the whole request is). */
    public String field() { return field; }
}
