/**
 * The Jakarta Servlet filter: {@link dev.portcullis.servlet.PortcullisFilter} runs the pipeline of stages that
 * translate requests into core calls and core results into responses, and
 * {@link dev.portcullis.servlet.PortalPrincipal} is the logged-in user as the application sees it.
 */
package dev.portcullis.servlet;
