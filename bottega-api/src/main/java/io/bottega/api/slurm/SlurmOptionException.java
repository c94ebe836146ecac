package io.bottega.api.slurm;

/**
 * A user's mistake in a Slurm command line or {@code #SBATCH} directive. The message names the option and
 * its value ({@code --time=1-25:00: hours must be 0-23}) and, for a directive, the script line
 * ({@code script line 3: ...}); it has no {@code sbatch: error: } prefix, which the command adds to each line.
 */
public final class SlurmOptionException extends Exception {
    public SlurmOptionException(String message) {
        super(message, null, false, false);
    }
}
