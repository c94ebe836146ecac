package io.bottega.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Linux CPU list syntax ({@code 0-3,8,10-11}), as in cpuset.cpus and Cpus_allowed_list. */
final class CpuList {
    private CpuList() {}

    static List<Integer> parse(String text) {
        TreeSet<Integer> cpus = new TreeSet<>();
        String t = text.trim();
        if (t.isEmpty()) return List.of();
        for (String part : t.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            int dash = p.indexOf('-');
            if (dash < 0) {
                cpus.add(Integer.parseInt(p));
            } else {
                int lo = Integer.parseInt(p.substring(0, dash).trim());
                int hi = Integer.parseInt(p.substring(dash + 1).trim());
                if (hi < lo) throw new IllegalArgumentException("bad cpu range: " + p);
                for (int c = lo; c <= hi; c++) cpus.add(c);
            }
        }
        return List.copyOf(cpus);
    }

    static String format(List<Integer> cpus) {
        List<Integer> sorted = new ArrayList<>(new TreeSet<>(cpus));
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < sorted.size()) {
            int j = i;
            while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) j++;
            if (!sb.isEmpty()) sb.append(',');
            sb.append(sorted.get(i));
            if (j > i) sb.append('-').append(sorted.get(j));
            i = j + 1;
        }
        return sb.toString();
    }
}
