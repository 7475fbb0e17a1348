/**
 * The ASP.NET migration bridge: reads and writes .NET Framework Forms Authentication cookies so that a portal ported
 * from ASP.NET keeps its users logged in across the cut-over.
 *
 * <p>Entry points: {@link dev.portcullis.aspnet.WebConfig} or {@link dev.portcullis.aspnet.MachineKey} for the keys,
 * {@link dev.portcullis.aspnet.FormsAuthentication} to open and seal cookies, and
 * {@link dev.portcullis.aspnet.TicketResult} for the outcome.
 */
package dev.portcullis.aspnet;
