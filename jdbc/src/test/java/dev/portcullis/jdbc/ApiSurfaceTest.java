package dev.portcullis.jdbc;

import dev.portcullis.testing.PublicSurfaceContract;

/** The public surface of portcullis-jdbc, as {@link PublicSurfaceContract} checks it: the stores' entry point, its builder and the schema. */
class ApiSurfaceTest extends PublicSurfaceContract {
  ApiSurfaceTest() {
    super(JdbcStores.class);
  }
}
