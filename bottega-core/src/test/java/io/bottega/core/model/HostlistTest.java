package io.bottega.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class HostlistTest {

    @Test
    void expand_paddedRangesAndSingles() {
        assertThat(Hostlist.expand("lrdn[0001-0004,0010]"))
                .containsExactly("lrdn0001", "lrdn0002", "lrdn0003", "lrdn0004", "lrdn0010");
    }

    @Test
    void expand_severalItems() {
        assertThat(Hostlist.expand("n[1-3],m5")).containsExactly("n1", "n2", "n3", "m5");
        assertThat(Hostlist.expand("a b,c")).containsExactly("a", "b", "c");
    }

    @Test
    void expand_severalBracketGroups_lastVariesFastest() {
        assertThat(Hostlist.expand("rack[1-2]-n[01-02]"))
                .containsExactly("rack1-n01", "rack1-n02", "rack2-n01", "rack2-n02");
    }

    @Test
    void expand_unpaddedRangeCrossingADecade() {
        assertThat(Hostlist.expand("n[9-11]")).containsExactly("n9", "n10", "n11");
        assertThat(Hostlist.expand("n[09-11]")).containsExactly("n09", "n10", "n11");
    }

    @Test
    void expand_suffixAfterBrackets() {
        assertThat(Hostlist.expand("gpu[1-2]-ib")).containsExactly("gpu1-ib", "gpu2-ib");
    }

    @Test
    void expand_emptyOrBlank_givesNoNames() {
        assertThat(Hostlist.expand("")).isEmpty();
        assertThat(Hostlist.expand(" , ")).isEmpty();
    }

    @Test
    void expand_keepsDuplicatesAndOrder() {
        assertThat(Hostlist.expand("n2,n1,n2")).containsExactly("n2", "n1", "n2");
    }

    @Test
    void expand_unbalancedOpen_namesTheItem() {
        assertThatThrownBy(() -> Hostlist.expand("m1,n[1-3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unbalanced '[' in \"n[1-3\"");
    }

    @Test
    void expand_unbalancedClose_namesTheItem() {
        assertThatThrownBy(() -> Hostlist.expand("n1-3]"))
                .hasMessage("unbalanced ']' in \"n1-3]\"");
    }

    @Test
    void expand_reversedRange_isRejected() {
        assertThatThrownBy(() -> Hostlist.expand("n[5-2]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("range 5-2 is reversed in \"n[5-2]\"");
    }

    @Test
    void expand_badRangeText_isRejected() {
        assertThatThrownBy(() -> Hostlist.expand("n[a-3]")).hasMessage("invalid range 'a-3' in \"n[a-3]\"");
        assertThatThrownBy(() -> Hostlist.expand("n[1,,2]")).hasMessage("invalid range '' in \"n[1,,2]\"");
        assertThatThrownBy(() -> Hostlist.expand("n[1-2-3]")).hasMessage("invalid range '1-2-3' in \"n[1-2-3]\"");
        assertThatThrownBy(() -> Hostlist.expand("n[]")).hasMessage("empty brackets in \"n[]\"");
        assertThatThrownBy(() -> Hostlist.expand("n[1[2]]")).hasMessage("nested '[' in \"n[1[2]]\"");
    }

    @Test
    void expand_hugeExpansion_isRefused() {
        assertThatThrownBy(() -> Hostlist.expand("n[1-2000000]"))
                .hasMessage("hostlist \"n[1-2000000]\" expands to more than 1000000 names");
        assertThatThrownBy(() -> Hostlist.expand("a[1-1000]b[1-1000]c[1-1000]"))
                .hasMessageContaining("expands to more than 1000000 names");
        assertThatThrownBy(() -> Hostlist.expand("n[0-999999999999999999,0-999999999999999999]"))
                .hasMessageContaining("expands to more than 1000000 names");
    }

    @Test
    void expand_exactlyTheLimit_isAllowed() {
        assertThat(Hostlist.expand("n[1-1000000]")).hasSize(Hostlist.MAX_NAMES);
    }

    @Test
    void compress_paddedNames() {
        assertThat(Hostlist.compress(List.of("lrdn0001", "lrdn0002", "lrdn0003", "lrdn0004", "lrdn0010")))
                .isEqualTo("lrdn[0001-0004,0010]");
    }

    @Test
    void compress_sortsNumericallyWithinAPrefix_keepsPrefixOrder() {
        assertThat(Hostlist.compress(List.of("n10", "m5", "n2", "n9", "n1", "n3")))
                .isEqualTo("n[1-3,9-10],m5");
    }

    @Test
    void compress_singleName_hasNoBrackets() {
        assertThat(Hostlist.compress(List.of("n5"))).isEqualTo("n5");
        assertThat(Hostlist.compress(List.of("login"))).isEqualTo("login");
        assertThat(Hostlist.compress(List.of("n007"))).isEqualTo("n007");
    }

    @Test
    void compress_removesDuplicates() {
        assertThat(Hostlist.compress(List.of("n2", "n1", "n2", "login", "login"))).isEqualTo("n[1-2],login");
    }

    @Test
    void compress_paddedAndUnpaddedOfTheSameWidth_shareARange() {
        // what lrdn[0998-1001] expands to: 0998 and 0999 are padded, 1000 and 1001 are not
        assertThat(Hostlist.compress(List.of("lrdn0998", "lrdn0999", "lrdn1000", "lrdn1001")))
                .isEqualTo("lrdn[0998-1001]");
    }

    @Test
    void compress_differentPaddings_stayApart() {
        assertThat(Hostlist.compress(List.of("n1", "n01", "n2"))).isEqualTo("n[1-2],n01");
    }

    @Test
    void compress_emptyCollection_isEmptyString() {
        assertThat(Hostlist.compress(List.of())).isEmpty();
    }

    @Test
    void compress_badNames_areRejected() {
        assertThatThrownBy(() -> Hostlist.compress(List.of("n1", "")))
                .hasMessage("host name must not be empty");
        assertThatThrownBy(() -> Hostlist.compress(List.of("n[1]")))
                .hasMessage("host name \"n[1]\" must not contain ',', '[', ']' or spaces");
    }

    @Test
    void normalize_rewritesToTheShortForm() {
        assertThat(Hostlist.normalize("n3,n1,n2,n4")).isEqualTo("n[1-4]");
        assertThat(Hostlist.normalize("rack[1-2]-n[01-02]")).isEqualTo("rack1-n[01-02],rack2-n[01-02]");
    }

    // ------------------------------------------------------------------------------------ properties

    @Property(seed = "20261127", tries = 300)
    void compressThenExpand_givesTheDistinctNamesSortedPerPrefix(@ForAll("hostNames") List<String> names) {
        List<String> back = Hostlist.expand(Hostlist.compress(names));
        assertThat(back).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(back)).isEqualTo(new TreeSet<>(names));
    }

    @Property(seed = "20261127", tries = 300)
    void compress_isIdempotentThroughExpand(@ForAll("hostNames") List<String> names) {
        String once = Hostlist.compress(names);
        assertThat(Hostlist.compress(Hostlist.expand(once))).isEqualTo(once);
    }

    @Property(seed = "42", tries = 200)
    void expandThenCompress_ofASortedRangeExpression_isTheExpression(@ForAll("rangeExpressions") String expr) {
        assertThat(Hostlist.compress(Hostlist.expand(expr))).isEqualTo(expr);
    }

    @Provide
    Arbitrary<List<String>> hostNames() {
        Arbitrary<String> prefix = Arbitraries.of("n", "lrdn", "gpu-", "rack1-n", "login");
        Arbitrary<Integer> number = Arbitraries.integers().between(0, 120);
        Arbitrary<Integer> width = Arbitraries.of(0, 2, 4);
        Arbitrary<String> name = net.jqwik.api.Combinators.combine(prefix, number, width).as((p, n, w) -> {
            if (p.equals("login")) return n % 2 == 0 ? "login" : "login" + n;
            String s = Integer.toString(n);
            while (s.length() < w) s = "0" + s;
            return p + s;
        });
        return name.list().ofMinSize(1).ofMaxSize(40);
    }

    /** Expressions in canonical form: one prefix, sorted disjoint non-adjacent ranges, fixed width. */
    @Provide
    Arbitrary<String> rangeExpressions() {
        return Arbitraries.integers().between(1, 8).flatMap(k -> Arbitraries.integers().between(1, 6).list().ofSize(k * 2)
                .flatMap(steps -> Arbitraries.of(0, 3, 4).map(width -> {
                    List<String> ranges = new ArrayList<>();
                    int v = 0;
                    for (int i = 0; i < steps.size(); i += 2) {
                        int lo = v + steps.get(i);
                        int hi = lo + steps.get(i + 1) - 1;
                        ranges.add(hi == lo ? pad(lo, width) : pad(lo, width) + "-" + pad(hi, width));
                        v = hi + 1; // next lo is at least hi + 2: never adjacent
                    }
                    if (ranges.size() == 1 && !ranges.get(0).contains("-")) return "node" + ranges.get(0);
                    return "node[" + String.join(",", ranges) + "]";
                })));
    }

    private static String pad(int v, int width) {
        String s = Integer.toString(v);
        while (s.length() < width) s = "0" + s;
        return s;
    }

    @Test
    void expand_thenCompress_ofLeonardoBooster() {
        List<String> names = Hostlist.expand("lrdn[0001-3456]");
        assertThat(names).hasSize(3456).startsWith("lrdn0001").endsWith("lrdn3456");
        Set<String> some = new LinkedHashSet<>(names.subList(10, 20));
        some.addAll(names.subList(100, 101));
        assertThat(Hostlist.compress(some)).isEqualTo("lrdn[0011-0020,0101]");
    }
}
