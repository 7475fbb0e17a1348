package dev.portcullis.examples.portal;

/**
 * An organisation of the demo portal.
 *
 * @param handle what users, tickets and reports carry ({@code riverside}); never shown as a name
 * @param name what people read ({@code Riverside Care})
 */
record Organisation(String handle, String name) {}
