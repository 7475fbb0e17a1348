package dev.portcullis.redis;

import dev.portcullis.testing.PublicSurfaceContract;

/** The public surface of portcullis-redis, as {@link PublicSurfaceContract} checks it. */
class ApiSurfaceTest extends PublicSurfaceContract {
  ApiSurfaceTest() {
    super(RedisStores.class);
  }
}
