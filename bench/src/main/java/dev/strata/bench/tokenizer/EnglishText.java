package dev.strata.bench.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic English-like prose for benchmarks: common English words drawn with a Zipf-like
 * skew, capitalised sentences with commas, numbers, quotes and contractions, and paragraphs.
 * The same seed and size always give the same text, so runs on different machines compare.
 */
final class EnglishText {
    private static final String[] WORDS = (
            "the of and to a in is it you that he was for on are with as I his they be at one have this from "
            + "or had by hot word but what some we can out other were all there when up use your how said an "
            + "each she which do their time if will way about many then them write would like so these her long "
            + "make thing see him two has look more day could go come did number sound no most people my over "
            + "know water than call first who may down side been now find any new work part take get place made "
            + "live where after back little only round man year came show every good me give our under name very "
            + "through just form sentence great think say help low line differ turn cause much mean before move "
            + "right boy old too same tell does set three want air well also play small end put home read hand "
            + "port large spell add even land here must big high such follow act why ask men change went light "
            + "kind off need house picture try us again animal point mother world near build self earth father "
            + "tokenizer model inference server request latency throughput memory engine language")
            .split(" ");
    private static final String[] CONTRACTIONS = {"don't", "it's", "we're", "they've", "I'm", "you'll", "he'd"};

    private EnglishText() {}

    /** About {@code sizeBytes} bytes of UTF-8 prose (ASCII apart from an occasional "café" or "naïve"). */
    static String generate(int sizeBytes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder(sizeBytes + 256);
        int sentencesInParagraph = 0;
        while (sb.length() < sizeBytes) {
            int words = 4 + random.nextInt(18);
            for (int w = 0; w < words; w++) {
                String word = word(random);
                if (w == 0) {
                    word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
                } else {
                    sb.append(random.nextInt(12) == 0 ? ", " : " ");
                }
                sb.append(word);
            }
            sb.append(random.nextInt(10) == 0 ? "?" : random.nextInt(15) == 0 ? "!" : ".");
            if (++sentencesInParagraph > 3 + random.nextInt(5)) {
                sb.append("\n\n");
                sentencesInParagraph = 0;
            } else {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    private static String word(SplittableRandom random) {
        int r = random.nextInt(100);
        if (r < 2) {
            return Integer.toString(random.nextInt(100_000));
        }
        if (r < 4) {
            return CONTRACTIONS[random.nextInt(CONTRACTIONS.length)];
        }
        if (r < 5) {
            return random.nextBoolean() ? "\"café\"" : "naïve";
        }
        // Zipf-like: squaring a uniform draw favours the common words at the front of the list
        double u = random.nextDouble();
        return WORDS[(int) (u * u * WORDS.length)];
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
