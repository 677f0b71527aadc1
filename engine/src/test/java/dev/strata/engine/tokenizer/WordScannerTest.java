package dev.strata.engine.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written scanners must split exactly as the regexes they replace. */
class WordScannerTest {
    private static final String EDGE_CASES = "' 's 'S 're 'RE 've 'll 'LL 'd 'x ''s\n\r\n \n  \n\t x\t\tx  x   "
            + "x 1 12 123 1234 12345 ¼½ ٣٤٥ a1b2 ... !!! ?!\n.\n\n,\r\r \u3000A\u00A0b \u2028\u0085 ~`$+ €£ "
            + "don't DON'T I'M we'VE ½x x½ 😀😀 a\u0301 ﬁ";

    @Test
    void scannersMatchTheirRegexes() {
        for (String regex : List.of(PreTokenizer.Regexes.GPT2_WORDS, PreTokenizer.Regexes.LLAMA3.getFirst(),
                PreTokenizer.Regexes.QWEN2.getFirst())) {
            assertThat(WordScanner.forRegex(regex)).isNotNull();
            RegexSplitter fast = new RegexSplitter(List.of(regex), true);
            RegexSplitter reference = new RegexSplitter(List.of(regex), false);
            SplittableRandom random = new SplittableRandom(regex.hashCode());
            check(fast, reference, EDGE_CASES);
            for (int i = 0; i < 2000; i++) {
                String s = Utf8.withoutLoneSurrogates(TokenizerRoundTripTest.randomText(random, 1 + random.nextInt(50), false));
                check(fast, reference, s);
                check(fast, reference, edgeMix(random));
            }
        }
    }

    @Test
    void multiStepListsUseTheScannerForTheirGpt2Step() {
        RegexSplitter fast = new RegexSplitter(PreTokenizer.STARCODER.regexes(), true);
        RegexSplitter reference = new RegexSplitter(PreTokenizer.STARCODER.regexes(), false);
        check(fast, reference, "int x = 12345; // it's done\n\n  return  x;");
    }

    private static String edgeMix(SplittableRandom random) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + random.nextInt(30);
        for (int i = 0; i < n; i++) {
            int at = random.nextInt(EDGE_CASES.length());
            sb.append(EDGE_CASES, at, Math.min(EDGE_CASES.length(), at + 1 + random.nextInt(4)));
        }
        return Utf8.withoutLoneSurrogates(sb.toString());
    }

    private static void check(RegexSplitter fast, RegexSplitter reference, String s) {
        int[] expected = reference.split(s).toArray();
        int[] actual = fast.split(s).toArray();
        assertThat(actual).as(TokenizerTestData.escape(s) + " expected " + Arrays.toString(expected)).containsExactly(expected);
    }
}
