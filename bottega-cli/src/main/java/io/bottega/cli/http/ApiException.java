package io.bottega.cli.http;

/**
 * The controller could not be asked: it is unreachable, did not answer in time, or answered something that is
 * not HTTP. The message is complete and meant for the user ({@code cannot reach the Bottega controller at
 * /tmp/bottega/bottega.sock (is 'bottega up' running?): Connection refused}); the command adds its
 * {@code sbatch: error: } prefix.
 */
public final class ApiException extends Exception {
    public ApiException(String message) {
        super(message, null, false, false);
    }
}
