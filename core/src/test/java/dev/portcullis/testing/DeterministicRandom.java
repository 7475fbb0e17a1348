package dev.portcullis.testing;

import java.security.SecureRandom;
import java.security.SecureRandomSpi;

/**
 * A {@link SecureRandom} whose output is fixed by a seed, so that tests and committed fuzz seeds can reproduce sealed
 * values byte for byte. Every read ({@code nextBytes}, {@code nextInt}, ...) advances one SplitMix64 stream; the
 * stream does not repeat within 2<sup>64</sup> words, so nonces drawn from it stay distinct. Thread-safe.
 *
 * <p>Never cryptographically secure: for tests only. {@link #setSeed} is refused, since mixing in outside entropy
 * would break reproducibility without anyone noticing.
 */
public final class DeterministicRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;

  public DeterministicRandom(long seed) {
    super(new SplitMixSpi(seed), null);
  }

  @Override
  public String getAlgorithm() {
    return "DeterministicRandom(test only)";
  }

  private static final class SplitMixSpi extends SecureRandomSpi {
    private static final long serialVersionUID = 1L;
    private long state;

    SplitMixSpi(long seed) {
      this.state = seed;
    }

    @Override
    protected synchronized void engineNextBytes(byte[] bytes) {
      int i = 0;
      while (i < bytes.length) {
        long word = next();
        for (int k = 0; k < Long.BYTES && i < bytes.length; k++, i++) {
          bytes[i] = (byte) (word >>> (8 * k));
        }
      }
    }

    @Override
    protected void engineSetSeed(byte[] seed) {
      throw new UnsupportedOperationException(
          "a DeterministicRandom is fixed by its constructor seed");
    }

    @Override
    protected byte[] engineGenerateSeed(int numBytes) {
      byte[] out = new byte[numBytes];
      engineNextBytes(out);
      return out;
    }

    private long next() {
      long z = (state += 0x9E3779B97F4A7C15L);
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }
  }
}
