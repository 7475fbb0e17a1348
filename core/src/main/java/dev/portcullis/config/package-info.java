/**
 * The whole configuration checked as one ({@link dev.portcullis.config.PortcullisConfig}): parts that need each other,
 * unique cookie names, reachable login and terms pages, and the secure default for access.
 */
package dev.portcullis.config;
