package io.bottega.api.slurm;

/**
 * Memory sizes as {@code --mem}, {@code --mem-per-cpu} and {@code --mem-per-gpu} read them, in megabytes
 * (Slurm's MB are MiB), and as {@code sacct} prints ReqMem.
 */
public final class MemorySize {
    /** {@code --mem=0}: all the memory of each node. The same value as the core's {@code ResourceRequest.ALL_MEMORY}. */
    public static final long ALL = Long.MAX_VALUE;

    private static final long MAX_MB = 1L << 50; // an exabyte; anything above is a typo

    private MemorySize() {}

    /**
     * A size: a whole number with an optional unit suffix {@code K}, {@code M} (the default), {@code G} or
     * {@code T}, either case; returns megabytes. Kilobytes are rounded up to a whole megabyte. {@code 0}
     * means all the memory of the node and returns {@link #ALL}.
     *
     * @throws IllegalArgumentException with the bare reason
     */
    public static long parseMb(String s) {
        if (s == null) throw new IllegalArgumentException("memory size must be given");
        String t = s.trim();
        int end = t.length();
        long unitKb = 1024;
        if (end > 0) {
            switch (t.charAt(end - 1)) {
                case 'k', 'K' -> { unitKb = 1; end--; }
                case 'm', 'M' -> end--;
                case 'g', 'G' -> { unitKb = 1024L * 1024; end--; }
                case 't', 'T' -> { unitKb = 1024L * 1024 * 1024; end--; }
                default -> { }
            }
        }
        String digits = t.substring(0, end);
        if (!SbatchParser.digits(digits, 15)) {
            throw new IllegalArgumentException("invalid memory size, expected a whole number with an optional K, M, G or T suffix");
        }
        long n = Long.parseLong(digits);
        if (n == 0) return ALL;
        long kb = Math.multiplyHigh(n, unitKb) != 0 ? Long.MAX_VALUE : n * unitKb;
        long mb = kb / 1024 + (kb % 1024 == 0 ? 0 : 1);
        if (kb < 0 || mb > MAX_MB) throw new IllegalArgumentException("memory size is too large");
        return mb;
    }

    /**
     * Megabytes as {@code sacct} prints ReqMem: in the largest unit that divides the size exactly
     * ({@code 4000M}, {@code 16G}, {@code 2T}, {@code 1024T}), in the units {@link #parseMb} reads; {@code 0} for 0 and for {@link #ALL} (as {@code --mem=0} was written).
     */
    public static String format(long mb) {
        if (mb == ALL || mb == 0) return "0";
        if (mb < 0) throw new IllegalArgumentException("memory size must not be negative");
        long v = mb;
        char[] units = {'M', 'G', 'T'};
        int u = 0;
        while (u < units.length - 1 && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        return Long.toString(v) + units[u];
    }
}
