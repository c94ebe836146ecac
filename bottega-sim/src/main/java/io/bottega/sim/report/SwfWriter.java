package io.bottega.sim.report;

import io.bottega.core.model.Cluster;
import io.bottega.core.model.JobState;
import io.bottega.core.model.Partition;
import io.bottega.core.model.ResourceRequest;
import io.bottega.sim.JobResult;
import io.bottega.sim.SimJob;
import io.bottega.sim.SimulationResult;
import io.bottega.sim.Workload;
import io.bottega.sim.trace.SwfHeader;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SWF-out: the simulated schedule as a Standard Workload Format file, so other tools can read it. Header comments
 * say it was produced by Bottega, with which policy, from which trace, on which machine. One line per job, in
 * order of submit time then job number, 18 fields:
 * <ol>
 *   <li>job number; 2. submit; 3. <b>simulated wait</b>; 4. <b>simulated run time</b>; 5. <b>processors</b> (the
 *   cores allocated); 6–7. -1; 8. requested processors (tasks × cores per task of the request, else the cores
 *   allocated); 9. requested time (the time limit); 10. -1; 11. status: 1 completed (or the trace's own status
 *   0/1/5 when it had one), 0 when killed at the time limit; 12. user id ({@code u12} → 12, other names numbered
 *   from 1 in order of appearance); 13. group id (the account, likewise); 14–15. -1; 16. partition number (as
 *   listed in the header); 17–18. -1.</li>
 * </ol>
 */
public final class SwfWriter {
    private SwfWriter() {}

    public static void write(SimulationResult r, Optional<Workload> workload, TraceInfo trace, Writer out) throws IOException {
        Cluster c = r.cluster();
        Map<Long, SimJob> byId = new HashMap<>();
        workload.ifPresent(w -> w.jobs().forEach(j -> byId.put(j.id(), j)));
        List<JobResult> jobs = new ArrayList<>(r.jobs());
        jobs.sort(Comparator.comparingLong(JobResult::submit).thenComparingLong(JobResult::jobId));
        out.write("; Version: 2.2\n");
        out.write("; Computer: " + c.name() + " (simulated)\n");
        out.write("; Installation: produced by Bottega sim with policy " + r.policy() + "\n");
        out.write("; Note: trace " + trace.name() + (trace.format().isEmpty() ? "" : " (" + trace.format() + ")")
                + "; fields 3 (wait), 4 (run time) and 5 (processors) are the simulated schedule\n");
        out.write("; MaxJobs: " + jobs.size() + "\n");
        out.write("; MaxRecords: " + jobs.size() + "\n");
        out.write("; MaxNodes: " + c.nodeCount() + "\n");
        out.write("; MaxProcs: " + c.totalCores() + "\n");
        Optional<SwfHeader> h = trace.swfHeader();
        if (h.isPresent() && h.get().unixStartTime().isPresent()) {
            out.write("; UnixStartTime: " + h.get().unixStartTime().getAsLong() + "\n");
        }
        out.write("; MaxPartitions: " + c.partitions().size() + "\n");
        for (Partition p : c.partitions()) out.write("; Partition: " + (p.index() + 1) + " " + p.name() + "\n");
        out.write(";\n");
        Map<String, Integer> userIds = new HashMap<>(), groupIds = new HashMap<>();
        StringBuilder b = new StringBuilder(120);
        for (JobResult j : jobs) {
            SimJob sj = byId.get(j.jobId());
            long requested = j.cores();
            if (sj != null) {
                ResourceRequest q = sj.spec().resources();
                if (q.tasks() > 0) requested = (long) q.tasks() * Math.max(1, q.cpusPerTask());
            }
            int status;
            if (j.state() == JobState.TIMEOUT) status = 0;
            else if (sj != null && (sj.traceStatus() == 0 || sj.traceStatus() == 1 || sj.traceStatus() == 5)) status = sj.traceStatus();
            else status = 1;
            int partition = j.partition().isEmpty() ? c.defaultPartition().index() + 1
                    : c.partition(j.partition()).map(p -> p.index() + 1).orElse(-1);
            b.setLength(0);
            b.append(j.jobId()).append(' ').append(j.submit()).append(' ').append(j.waitTime()).append(' ').append(j.runTime())
                    .append(' ').append(j.cores()).append(" -1 -1 ").append(requested).append(' ').append(j.timeLimit())
                    .append(" -1 ").append(status).append(' ').append(id(j.user(), 'u', userIds)).append(' ')
                    .append(id(j.account(), 'g', groupIds)).append(" -1 -1 ").append(partition).append(" -1 -1\n");
            out.append(b);
        }
    }

    /** {@code u12} → 12; "unknown" or "" → -1; any other name → a number from 1 in order of appearance. */
    private static int id(String name, char prefix, Map<String, Integer> others) {
        if (name.isEmpty() || name.equals("unknown")) return -1;
        if (name.length() > 1 && name.length() < 10 && name.charAt(0) == prefix) {
            boolean digits = true;
            for (int i = 1; i < name.length(); i++) digits &= Character.isDigit(name.charAt(i));
            if (digits) return Integer.parseInt(name.substring(1));
        }
        return others.computeIfAbsent(name, k -> others.size() + 1);
    }
}
