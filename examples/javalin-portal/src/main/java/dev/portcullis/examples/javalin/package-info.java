/** The Javalin example: {@link dev.portcullis.examples.javalin.NotesPortal}, shared notes behind Portcullis. */
package dev.portcullis.examples.javalin;
