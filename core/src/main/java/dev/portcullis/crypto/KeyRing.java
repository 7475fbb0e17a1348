package dev.portcullis.crypto;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The master keys that seal and open Portcullis values, each with a 4-byte id, a {@link KeyStatus} and a creation
 * time. Exactly one key is {@link KeyStatus#ACTIVE}. Immutable; rotation returns a new ring.
 *
 * <p>Rotation is two-phase so that no node meets a value sealed under a key it does not know: first {@link
 * #withNewKey} on every node (the key arrives {@link KeyStatus#DECRYPT_ONLY}), then {@link #promote} it. The previous
 * active key becomes decrypt-only and keeps opening what it sealed until those values expire or the key is {@link
 * #revoke revoked}.
 *
 * <p><b>Security.</b> No method returns secret bytes; {@link #toString()} lists ids and statuses only. Build errors
 * name the problem and the key id, never the key. A ring does not limit how much one key seals: rotate before a key
 * seals 2<sup>32</sup> values (random 96-bit nonces), which {@link #keysOlderThan} helps to schedule.
 */
public final class KeyRing implements KeyRingSource {
  /** The key age after which {@link #keysOlderThan} reports a key by default: 90 days. */
  public static final Duration DEFAULT_MAX_KEY_AGE = Duration.ofDays(90);

  private final Map<Integer, Entry> byId;
  private final Entry active;

  record Entry(KeyInfo info, KeyMaterial material) {}

  private KeyRing(Map<Integer, Entry> byId, Entry active) {
    this.byId = byId;
    this.active = active;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** This ring: a ring is a key ring source that never changes. */
  @Override
  public KeyRing current() {
    return this;
  }

  /** Every key, in the order added, without secrets. */
  public List<KeyInfo> keys() {
    List<KeyInfo> out = new ArrayList<>(byId.size());
    byId.values().forEach(e -> out.add(e.info()));
    return Collections.unmodifiableList(out);
  }

  /** The key that seals. */
  public KeyInfo activeKey() {
    return active.info();
  }

  /** Keys other than revoked ones whose age at {@code now} exceeds {@code maxAge}, for start-up warnings. */
  public List<KeyInfo> keysOlderThan(Duration maxAge, Instant now) {
    Objects.requireNonNull(maxAge, "maxAge");
    List<KeyInfo> out = new ArrayList<>();
    for (Entry e : byId.values()) {
      if (e.info().status() != KeyStatus.REVOKED && e.info().age(now).compareTo(maxAge) > 0) {
        out.add(e.info());
      }
    }
    return out;
  }

  /** Phase one of a rotation: this ring plus a new {@link KeyStatus#DECRYPT_ONLY} key. */
  public KeyRing withNewKey(int id, KeyMaterial material, Instant createdAt) {
    return toBuilder().add(id, KeyStatus.DECRYPT_ONLY, createdAt, material).build();
  }

  /** Phase two: key {@code id} becomes active and the previous active key decrypt-only. */
  public KeyRing promote(int id) {
    Entry target = require(id);
    if (target.info().status() == KeyStatus.REVOKED) {
      throw new InvalidKeyRingException(
          "key " + KeyInfo.formatId(id) + " is revoked and cannot be promoted");
    }
    Builder b = builder();
    for (Entry e : byId.values()) {
      KeyStatus s = e.info().status();
      if (e == target) {
        s = KeyStatus.ACTIVE;
      } else if (s == KeyStatus.ACTIVE) {
        s = KeyStatus.DECRYPT_ONLY;
      }
      b.add(e.info().id(), s, e.info().createdAt(), e.material());
    }
    return b.build();
  }

  /** Key {@code id} opens nothing from now on. The active key cannot be revoked: promote another first. */
  public KeyRing revoke(int id) {
    Entry target = require(id);
    if (target == active) {
      throw new InvalidKeyRingException(
          "key " + KeyInfo.formatId(id) + " is active; promote another key before revoking it");
    }
    Builder b = builder();
    for (Entry e : byId.values()) {
      b.add(
          e.info().id(),
          e == target ? KeyStatus.REVOKED : e.info().status(),
          e.info().createdAt(),
          e.material());
    }
    return b.build();
  }

  /** A builder holding this ring's keys. */
  public Builder toBuilder() {
    Builder b = builder();
    byId.values()
        .forEach(e -> b.add(e.info().id(), e.info().status(), e.info().createdAt(), e.material()));
    return b;
  }

  /** The secret of key {@code id}, for file writers and tools; see {@link SecretAccess}. */
  public KeyMaterial material(int id, SecretAccess access) {
    Objects.requireNonNull(access, "access");
    return require(id).material();
  }

  Entry activeEntry() {
    return active;
  }

  /** The entry for an id found in a sealed value, or null when unknown. */
  Entry entry(int id) {
    return byId.get(id);
  }

  private Entry require(int id) {
    Entry e = byId.get(id);
    if (e == null) {
      throw new InvalidKeyRingException("no key with id " + KeyInfo.formatId(id));
    }
    return e;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("KeyRing[");
    String sep = "";
    for (Entry e : byId.values()) {
      sb.append(sep).append(e.info().idHex()).append(' ').append(e.info().status());
      sep = ", ";
    }
    return sb.append(']').toString();
  }

  /** Collects keys; {@link #build()} checks the ring as a whole. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();

    private Builder() {}

    public Builder add(int id, KeyStatus status, Instant createdAt, KeyMaterial material) {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(createdAt, "createdAt");
      Objects.requireNonNull(material, "material");
      entries.add(new Entry(new KeyInfo(id, status, createdAt), material));
      return this;
    }

    /**
     * Fails with {@link InvalidKeyRingException} on an empty ring, a duplicate id, a key under 32 bytes, a secret
     * used under two ids, or a number of active keys other than one.
     */
    public KeyRing build() {
      if (entries.isEmpty()) {
        throw new InvalidKeyRingException(
            "the key ring is empty; configure at least one ACTIVE key");
      }
      Map<Integer, Entry> byId = new LinkedHashMap<>();
      Entry active = null;
      int activeCount = 0;
      for (Entry e : entries) {
        String id = e.info().idHex();
        if (e.material().length() < KeyMaterial.MIN_LENGTH) {
          throw new InvalidKeyRingException(
              "key " + id + " is shorter than " + KeyMaterial.MIN_LENGTH + " bytes");
        }
        if (byId.putIfAbsent(e.info().id(), e) != null) {
          throw new InvalidKeyRingException("key id " + id + " appears twice");
        }
        if (e.info().status() == KeyStatus.ACTIVE) {
          activeCount++;
          active = e;
        }
      }
      List<Entry> list = new ArrayList<>(byId.values());
      for (int i = 0; i < list.size(); i++) {
        for (int j = i + 1; j < list.size(); j++) {
          if (list.get(i).material().equals(list.get(j).material())) {
            throw new InvalidKeyRingException("keys " + list.get(i).info().idHex() + " and "
                + list.get(j).info().idHex() + " have the same secret");
          }
        }
      }
      if (activeCount != 1) {
        throw new InvalidKeyRingException(
            "a key ring needs exactly one ACTIVE key, found " + activeCount);
      }
      return new KeyRing(Collections.unmodifiableMap(byId), active);
    }
  }
}
