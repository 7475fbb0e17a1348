/**
 * Redis implementations of the core's store interfaces (sessions, revocation, replay, account links, login attempts)
 * for portals on more than one node: {@link dev.portcullis.redis.RedisStores} built from a
 * {@link dev.portcullis.redis.RedisStoreConfig}.
 */
package dev.portcullis.redis;
